package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.aggregators.SecureSumFactory;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.security.AuthorizedKeys;
import dev.fl4j.deploy.security.ClientKey;
import dev.fl4j.deploy.security.DevelopmentPki;
import dev.fl4j.deploy.security.PkiFiles;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.deploy.server.NaturalOrder;
import dev.fl4j.deploy.server.SecAggObserver;
import dev.fl4j.deploy.server.ServerStore;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.secagg.SecAggPlus;
import dev.fl4j.secagg.SecAggPlusServer;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.PrivacyLedgerFile;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Central differential privacy after SecAgg+ on a deployed server, over loopback gRPC with TLS and signed
 * requests: each sampled client clips, quantizes and masks its own update, the server unmasks only the sum
 * and adds the Gaussian noise. Without noise the model is bitwise the local runtime's over the clients the
 * round log names; with noise the released model differs from the noiseless one by noise of the
 * calibrated scale and ε is the accountant's; a client that drops out during the secure sum only removes
 * its own contribution and every attempt is counted; what would let the server see updates is refused.
 */
class DeployPrivateSecAggTest {

    private static final String EPSILON = "aggregator/privacy/epsilon";
    private static final String NOISE_STDDEV = "aggregator/dp_query_metrics/noise_stddev";
    private static final String SPENT = "aggregator/privacy/rounds";
    private static final double CLIP = 0.5;

    @TempDir
    static Path dir;

    private static PkiFiles pki;
    private static List<ClientKey> keys;

    @BeforeAll
    static void keysAndEngine() throws Exception {
        pki = DevelopmentPki.generate(4, List.of(), new SecureRandom()).write(dir.resolve("pki"));
        keys = new ArrayList<>();
        for (Path p : pki.clientKeys()) {
            keys.add(ClientKey.read(p));
        }
        keys.sort((a, b) -> NaturalOrder.INSTANCE.compare(a.id(), b.id()));
        DeployFixture.localRun(1, 1); // the engine's first session is slow; keep it out of the stage deadlines
    }

    /** Gaussian DP with fixed clip {@link #CLIP}, the clipped updates summed by a secure sum. */
    private static DifferentiallyPrivateFactory dp(double noise, int perRound, int population) {
        return DifferentiallyPrivateFactory.gaussianFixed(noise, perRound, CLIP).toBuilder()
                .optRecordAggregation(SecureSumFactory.symmetric(CLIP))
                .optPopulation(population)
                .build();
    }

    private static LearningProcess process(DifferentiallyPrivateFactory dp) {
        return DeployFixture.fedAvg().optModelAggregator(dp).build();
    }

    /** The first {@code n} keys, the population; key i holds shard i. */
    private static AuthorizedKeys authorized(int n) {
        return AuthorizedKeys.of(
                keys.subList(0, n).stream().map(ClientKey::publicKey).toList());
    }

    private static DeployServer.Builder server(DifferentiallyPrivateFactory dp, int perRound, int rounds) {
        return DeployServer.builder()
                .setProcess(process(dp))
                .setClientsPerRound(perRound)
                .setRounds(rounds)
                .setBatchSize(DeployFixture.BATCH)
                .optSeed(DeployFixture.SEED)
                .optTls(pki.serverCertificateChain(), pki.serverPrivateKey())
                .optAuthorizedKeys(authorized(perRound))
                .optPrivacy(dp)
                .optSecureAggregation(SecAggPlus.builder().setNumShares(3).build())
                .optMinPopulation(perRound)
                .optHeartbeatMillis(200);
    }

    private static FederatedClient client(DeployServer server, int k) throws Exception {
        FedProxSynthetic data = DeployFixture.data();
        return FederatedClient.builder()
                .setServer(server.address().getHostString() + ":"
                        + server.address().getPort())
                .optKey(keys.get(k))
                .optTrust(pki.caCertificate())
                .setData(data.datasetFor(
                        data.clientIds().get(k % data.clientIds().size())))
                .optBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .build()
                .start();
    }

    /** Records the sessions' sizes ({@code summed:CONTRIBUTORS/IN_SESSION}) and closes a victim at a stage. */
    private static SecAggObserver observer(
            List<String> events, List<FederatedClient> clients, SecAggPlusServer.Stage killAt, int victim) {
        return new SecAggObserver() {
            @Override
            public void stageStarted(SecAggPlusServer.Stage stage, List<String> addressed) {
                if (stage == killAt && events.stream().noneMatch(e -> e.startsWith("killed"))) {
                    for (FederatedClient c : clients) {
                        if (c.clientId().equals(keys.get(victim).id())) {
                            try {
                                c.close();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            events.add("killed");
                        }
                    }
                }
            }

            @Override
            public void finished(int inSession, int contributors) {
                events.add("summed:" + contributors + "/" + inSession);
            }
        };
    }

    /** One run with {@code n} clients; the events of its SecAgg+ sessions go to {@code events}. */
    private DeployResult run(DeployServer.Builder b, int n, List<String> events, SecAggPlusServer.Stage killAt)
            throws Exception {
        List<FederatedClient> clients = Collections.synchronizedList(new ArrayList<>());
        b.optSecAggObserver(observer(events, clients, killAt, n - 1))
                .optSecAggStageTimeout(killAt == null ? Duration.ofSeconds(30) : Duration.ofMillis(1500));
        try (DeployServer server = b.build().start()) {
            for (int k = 0; k < n; k++) {
                clients.add(client(server, k));
            }
            return server.run();
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    /** {@code process} on the local runtime (plain modular secure sum), round r over participants r - 1. */
    private static ModelWeights localRunOver(LearningProcess process, List<List<String>> participants) {
        FedProxSynthetic data = DeployFixture.data();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            index.put(keys.get(i).id(), i);
        }
        Preprocessing prep = Preprocessing.batches(DeployFixture.BATCH);
        Type member = ((FederatedType) process.clientDataType()).member();
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build()) {
            Value state = process.initialize(runtime);
            for (int r = 1; r <= participants.size(); r++) {
                int round = r;
                ClientValues clients = ClientValues.lazy(member, participants.get(r - 1), id -> {
                    int i = index.get(id);
                    return prep.forTraining(
                            data.datasetFor(
                                    data.clientIds().get(i % data.clientIds().size())),
                            TrainingLoop.clientShuffleSeed(DeployFixture.SEED, round, i));
                });
                state = process.next(runtime, state, clients).state();
            }
            return process.getModelWeights(state);
        }
    }

    private static List<List<String>> participants(Path db, int rounds) throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (ServerStore store = ServerStore.open(db)) {
            for (int r = 1; r <= rounds; r++) {
                out.add(store.participants(r));
            }
        }
        return out;
    }

    private static float[] flat(ModelWeights w) {
        List<Float> all = new ArrayList<>();
        for (Tensor t : w.trainableTensors()) {
            for (float f : t.floatData()) {
                all.add(f);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    @Timeout(120)
    void withoutNoiseTheModelIsBitwiseTheLocalRuntimesAndEverySumIsSecure() throws Exception {
        int rounds = 2;
        Path db = dir.resolve("bitwise.db");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        DeployResult result = run(server(dp(0, 3, 3), 3, rounds).optStore(db), 3, events, null);
        assertEquals(List.of("summed:3/3", "summed:3/3"), events, "one SecAgg+ session over all three a round");
        List<List<String>> participants = participants(db, rounds);
        assertArrayEquals(
                DeployFixture.bytes(localRunOver(process(dp(0, 3, 3)), participants)),
                DeployFixture.bytes(result.weights()),
                "bitwise the local runtime's model over " + participants);
    }

    @Test
    @Timeout(120)
    void theReleasedModelCarriesNoiseOfTheCalibratedScaleAndEpsilonIsTheAccountants() throws Exception {
        double z = 2.0;
        Path db = dir.resolve("noised.db");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        DifferentiallyPrivateFactory dp = dp(z, 3, 3);
        DeployResult noised = run(server(dp, 3, 1).optStore(db), 3, events, null);
        assertEquals(List.of("summed:3/3"), events);
        float[] exact = flat(localRunOver(process(dp(0, 3, 3)), participants(db, 1)));
        float[] released = flat(noised.weights());
        // 610 weights; SecureSumFactory's 22 precision bits move a clipped update by at most √610·2·CLIP/2^23
        double rounding = Math.sqrt(exact.length) * 2 * CLIP / Math.scalb(1.0, 23);
        double stddev = z * (CLIP + rounding);
        Map<String, Double> metrics = noised.history().get(0);
        assertEquals((float) stddev, metrics.get(NOISE_STDDEV).floatValue(), "the noise covers the quantization");
        assertEquals(dp.epsilonAfter(1).epsilon(), metrics.get(EPSILON));
        double sum = 0;
        for (int i = 0; i < exact.length; i++) {
            double d = released[i] - exact[i];
            sum += d * d;
        }
        double measured = Math.sqrt(sum / exact.length);
        double expected = stddev / 3; // the noised sum divided by the expected 3 clients, server learning rate 1
        // the sample deviation of 610 normal draws is within 15% of the true one with probability > 1 - 1e-6
        assertTrue(
                Math.abs(measured / expected - 1) < 0.15,
                "released minus noiseless model: deviation " + measured + ", calibrated " + expected);
    }

    @Test
    @Timeout(150)
    void aClientDroppingOutOfTheSecureSumRemovesOnlyItselfAndEveryAttemptIsCounted() throws Exception {
        // four authorized, all sampled (q = 1); the fourth stops when round 1's masked inputs are asked for
        int rounds = 2;
        DifferentiallyPrivateFactory plain = dp(1.0, 4, 4);
        CheckpointStore store = new CheckpointStore(dir.resolve("ckpt"));
        DifferentiallyPrivateFactory dp =
                plain.toBuilder().optLedger(PrivacyLedgerFile.in(store)).build();
        Path db = dir.resolve("dropout.db");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        DeployResult result = run(
                server(dp, 4, rounds)
                        .optStore(db)
                        .optRoundTimeout(Duration.ofSeconds(5))
                        .optCheckpoints(store, RunConfig.of(Map.of("run", "private-secagg"))),
                4,
                events,
                SecAggPlusServer.Stage.MASKED_INPUT);
        assertEquals("summed:3/4", events.get(1), "round 1 unmasked without the client that stopped: " + events);
        assertEquals("summed:3/3", events.get(events.size() - 1), "round 2 over the three left: " + events);
        int attempts = 0;
        try (ServerStore s = ServerStore.open(db)) {
            for (int r = 1; r <= rounds; r++) {
                List<String> outcomes = s.outcomes(r);
                assertEquals("completed", outcomes.get(outcomes.size() - 1), "round " + r + ": " + outcomes);
                attempts += outcomes.size();
            }
        }
        long spent = PrivacyLedgerFile.in(store).spent();
        assertEquals(attempts, spent, "every attempt recorded in the ledger before it could release");
        assertEquals(rounds, result.history().size());
        for (Map<String, Double> m : result.history()) {
            assertEquals(plain.epsilonAfter(m.get(SPENT).longValue()).epsilon(), m.get(EPSILON), m.toString());
        }
        assertEquals(
                plain.epsilonAfter(spent).epsilon(),
                result.history().get(rounds - 1).get(EPSILON),
                "epsilon after the run counts every attempt");
    }

    @Test
    void whatWouldLetTheServerSeeUpdatesIsRefused() {
        DifferentiallyPrivateFactory inTheClear = DifferentiallyPrivateFactory.gaussianFixed(1.0, 3, CLIP).toBuilder()
                .optPopulation(3)
                .build();
        IllegalArgumentException plainSum = assertThrows(
                IllegalArgumentException.class,
                () -> server(inTheClear, 3, 1).setProcess(process(inTheClear)).build());
        assertTrue(
                plainSum.getMessage().contains("not a secure sum, so SecAgg+ would protect nothing"),
                plainSum.getMessage());

        DifferentiallyPrivateFactory adaptive = DifferentiallyPrivateFactory.gaussianAdaptive(0.2, 3).toBuilder()
                .optRecordAggregation(SecureSumFactory.symmetric(CLIP))
                .optPopulation(3)
                .build();
        IllegalArgumentException adaptiveClip = assertThrows(
                IllegalArgumentException.class,
                () -> server(adaptive, 3, 1).setProcess(process(adaptive)).build());
        assertTrue(
                adaptiveClip.getMessage().contains("read every client's update norm in the clear"),
                adaptiveClip.getMessage());
    }
}
