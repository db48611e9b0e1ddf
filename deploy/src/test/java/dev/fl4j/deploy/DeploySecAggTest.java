package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.SecureSumFactory;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.security.AuthorizedKeys;
import dev.fl4j.deploy.security.ClientKey;
import dev.fl4j.deploy.security.DevelopmentPki;
import dev.fl4j.deploy.security.PkiFiles;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.deploy.server.SecAggObserver;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.secagg.SecAggPlus;
import dev.fl4j.secagg.SecAggPlusServer;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.TrainingLoop;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SecAgg+ between a real server and real clients over loopback gRPC with TLS and signed requests: the
 * clients encode, keep and mask their own updates (the server's fold never sees them), and the deployed
 * model is bitwise the one the plain modular sum gives over the same clients; a client that dies at any
 * of the four stages is tolerated and the sum is exact (it holds the dying client's input exactly when
 * its masked input arrived), and a round left below the threshold is run again without the dropped
 * clients.
 */
class DeploySecAggTest {

    private static final int CLIENTS = 5;

    @TempDir
    static Path dir;

    /** Plain (modular-sum) runs by the clients that fail their tasks: what the secure runs must equal. */
    private static final Map<Set<Integer>, byte[]> PLAIN = new java.util.HashMap<>();

    private byte[] plainModel(Set<Integer> failing) throws Exception {
        byte[] model = PLAIN.get(failing);
        if (model == null) {
            model = DeployFixture.bytes(deploy(new Setup(CLIENTS, 1, null, failing, CLIENTS - failing.size(), null))
                    .result()
                    .weights());
            PLAIN.put(failing, model);
        }
        return model;
    }

    /** FedAvg whose weighted mean sums values and weights with {@code SecureSumFactory}. */
    static LearningProcess secureProcess() {
        return DeployFixture.fedAvg()
                .optModelAggregator(
                        new MeanFactory(SecureSumFactory.symmetric(100), SecureSumFactory.bounds(0, 1 << 20)))
                .build();
    }

    /** The process each run deploys (default {@link #secureProcess()}). */
    private java.util.function.Supplier<LearningProcess> process = DeploySecAggTest::secureProcess;

    static FedProxSynthetic data() {
        return FedProxSynthetic.builder(1, 1, CLIENTS, 5)
                .optExamplesPerClient(30)
                .build();
    }

    /** One deployment: its result, the observed SecAgg+ stages, and the server's refusals. */
    record Run(DeployResult result, List<String> events, Map<Rejection, Long> rejections) {}

    /** How a test shapes one deployment. */
    record Setup(
            int clients, int rounds, SecAggPlus secagg, Set<Integer> failing, int minClients, VictimPlan victims) {}

    /** Stops clients when the server starts a stage (before it posts the stage's messages). */
    record VictimPlan(SecAggPlusServer.Stage stage, Set<Integer> clients) {}

    private static PkiFiles pki;

    /** One PKI for the class: the same keys, so the same client ids (and data order) in every run. */
    private static synchronized PkiFiles pki() throws Exception {
        if (pki == null) {
            pki = DevelopmentPki.generate(CLIENTS, List.of(), new SecureRandom())
                    .write(dir);
        }
        return pki;
    }

    private Run deploy(Setup s) throws Exception {
        PkiFiles pki = pki();
        List<ClientKey> keys = new ArrayList<>();
        for (int k = 0; k < s.clients(); k++) {
            keys.add(ClientKey.read(pki.clientKeys().get(k)));
        }
        FedProxSynthetic data = data();
        List<FederatedClient> clients = Collections.synchronizedList(new ArrayList<>());
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        IntFunction<String> idOf = k -> keys.get(k).id();
        DeployServer.Builder b = DeployServer.builder()
                .setProcess(process.get())
                .setClientsPerRound(s.clients())
                .setRounds(s.rounds())
                .setBatchSize(DeployFixture.BATCH)
                .optSeed(DeployFixture.SEED)
                .optMinPopulation(s.clients())
                .optMinClients(s.minClients())
                .optHeartbeatMillis(200)
                .optRoundTimeout(Duration.ofSeconds(60))
                .optTls(pki.serverCertificateChain(), pki.serverPrivateKey())
                .optAuthorizedKeys(AuthorizedKeys.read(pki.authorizedKeys()));
        if (s.secagg() != null) {
            b.optSecureAggregation(s.secagg())
                    // a stage waits 1.5 s for a client the test stops or fails; in runs where everyone takes part,
                    // a short wait on a loaded machine would drop a slow client and change the sum the test compares
                    .optSecAggStageTimeout(
                            s.victims() == null && s.failing().isEmpty()
                                    ? Duration.ofSeconds(30)
                                    : Duration.ofMillis(1500))
                    .optSecAggObserver(new SecAggObserver() {
                        @Override
                        public void stageStarted(SecAggPlusServer.Stage stage, List<String> addressed) {
                            events.add(stage + ":" + addressed.size());
                            if (s.victims() != null && stage == s.victims().stage()) {
                                for (int k : s.victims().clients()) {
                                    String id = idOf.apply(k);
                                    for (FederatedClient c : clients) {
                                        if (c.clientId().equals(id)) {
                                            try {
                                                c.close();
                                            } catch (InterruptedException e) {
                                                Thread.currentThread().interrupt();
                                            }
                                        }
                                    }
                                }
                            }
                        }

                        @Override
                        public void finished(int inSession, int contributors) {
                            events.add("summed:" + contributors + "/" + inSession);
                        }
                    });
        }
        long started = System.nanoTime();
        try (DeployServer server = b.build().start()) {
            InetSocketAddress a = server.address();
            for (int k = 0; k < s.clients(); k++) {
                // client k trains on shard k whatever its key, so runs with other keys see the same data
                String shard = data.clientIds().get(k);
                FederatedClient.Builder cb = FederatedClient.builder()
                        .setServer(a.getHostString() + ":" + a.getPort())
                        .optKey(keys.get(k))
                        .optTrust(pki.caCertificate())
                        .setData(data.datasetFor(shard))
                        .optBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
                if (s.failing().contains(k)) {
                    cb.optAllowedFactories(Set.of()); // reports every task as failed
                }
                clients.add(cb.build().start());
            }
            DeployResult r = server.run();
            System.out.printf("deployment %s took %.1f s%n", s, (System.nanoTime() - started) / 1e9);
            return new Run(r, List.copyOf(events), server.rejections());
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    private static SecAggPlus secagg(int shares) {
        return SecAggPlus.builder().setNumShares(shares).build();
    }

    @Test
    @Timeout(240)
    void secAggPlusOverTheNetworkGivesBitwiseThePlainModularSumsModel() throws Exception {
        Run plain = deploy(new Setup(CLIENTS, 2, null, Set.of(), CLIENTS, null));
        Run secure = deploy(new Setup(CLIENTS, 2, secagg(3), Set.of(), CLIENTS, null));
        assertArrayEquals(
                DeployFixture.bytes(plain.result().weights()),
                DeployFixture.bytes(secure.result().weights()),
                "secagg+ over the network gives bitwise the plain modular sum's model");
        // one session per round sums the values and the weights together, four stages each
        List<String> round = List.of(
                "ADVERTISE_KEYS:" + CLIENTS,
                "SHARE_KEYS:" + CLIENTS,
                "MASKED_INPUT:" + CLIENTS,
                "UNMASKING:" + CLIENTS,
                "summed:" + CLIENTS + "/" + CLIENTS);
        List<String> expected = new ArrayList<>(round);
        expected.addAll(round);
        assertEquals(expected, secure.events());
        assertTrue(secure.rejections().isEmpty(), secure.rejections().toString());
        Map<String, Double> last = secure.result().history().get(1);
        Map<String, Double> plainLast = plain.result().history().get(1);
        System.out.printf(
                "received bytes: plain modular sum %.0f, secagg+ %.0f; aggregated bits %.0f vs %.0f%n",
                plainLast.get(DeployServer.WIRE_RECEIVED_BYTES),
                last.get(DeployServer.WIRE_RECEIVED_BYTES),
                plainLast.get(TrainingLoop.AGGREGATED_BITS),
                last.get(TrainingLoop.AGGREGATED_BITS));
    }

    private static final int VICTIM = 2;

    @Test
    @Timeout(240)
    void aClientThatDiesBeforeAdvertisingKeysIsLeftOut() throws Exception {
        aClientThatDiesAtStageIsToleratedAndTheSumIsExact(SecAggPlusServer.Stage.ADVERTISE_KEYS);
    }

    @Test
    @Timeout(240)
    void aClientThatDiesBeforeSharingKeysIsLeftOut() throws Exception {
        aClientThatDiesAtStageIsToleratedAndTheSumIsExact(SecAggPlusServer.Stage.SHARE_KEYS);
    }

    @Test
    @Timeout(240)
    void aClientThatDiesBeforeItsMaskedInputHasItsPairwiseMasksRemoved() throws Exception {
        aClientThatDiesAtStageIsToleratedAndTheSumIsExact(SecAggPlusServer.Stage.MASKED_INPUT);
    }

    @Test
    @Timeout(240)
    void aClientThatDiesBeforeUnmaskingStaysInTheSum() throws Exception {
        aClientThatDiesAtStageIsToleratedAndTheSumIsExact(SecAggPlusServer.Stage.UNMASKING);
    }

    private void aClientThatDiesAtStageIsToleratedAndTheSumIsExact(SecAggPlusServer.Stage stage) throws Exception {
        Run secure =
                deploy(new Setup(CLIENTS, 1, secagg(3), Set.of(), CLIENTS - 1, new VictimPlan(stage, Set.of(VICTIM))));
        boolean counted = stage == SecAggPlusServer.Stage.UNMASKING; // its masked input had arrived
        assertArrayEquals(
                plainModel(counted ? Set.of() : Set.of(VICTIM)),
                DeployFixture.bytes(secure.result().weights()),
                "the sum holds exactly the inputs whose masked vectors arrived");
        List<String> expected = new ArrayList<>();
        boolean gone = false;
        for (SecAggPlusServer.Stage s : List.of(
                SecAggPlusServer.Stage.ADVERTISE_KEYS,
                SecAggPlusServer.Stage.SHARE_KEYS,
                SecAggPlusServer.Stage.MASKED_INPUT,
                SecAggPlusServer.Stage.UNMASKING)) {
            expected.add(s + ":" + (gone ? CLIENTS - 1 : CLIENTS));
            gone |= s == stage;
        }
        expected.add("summed:" + (counted ? CLIENTS : CLIENTS - 1) + "/" + CLIENTS);
        assertEquals(expected, secure.events());
        assertEquals(1.0 * CLIENTS, secure.result().history().get(0).get(TrainingLoop.CLIENTS_REPORTING));
    }

    @Test
    @Timeout(240)
    void belowTheThresholdTheRoundIsAbortedAndRunAgainWithoutTheDroppedClients() throws Exception {
        // everyone shares with everyone, threshold 3 of 5: three clients dying before they advertise keys
        // leave two, too few to unmask; the attempt fails and the round runs again over the two
        Set<Integer> victims = Set.of(0, 2, 4);
        Run secure = deploy(new Setup(
                CLIENTS,
                1,
                secagg(CLIENTS),
                Set.of(),
                2,
                new VictimPlan(SecAggPlusServer.Stage.ADVERTISE_KEYS, victims)));
        assertEquals(
                List.of(
                        "ADVERTISE_KEYS:5",
                        "ADVERTISE_KEYS:2",
                        "SHARE_KEYS:2",
                        "MASKED_INPUT:2",
                        "UNMASKING:2",
                        "summed:2/2"),
                secure.events());
        assertEquals(2.0, secure.result().history().get(0).get(TrainingLoop.CLIENTS_REPORTING));
        assertArrayEquals(
                plainModel(victims), DeployFixture.bytes(secure.result().weights()));
    }

    @Test
    @Timeout(240)
    void theSecureAggregatorsAdaptiveBoundIsEstimatedThroughTheSameSession() throws Exception {
        process = () -> DeployFixture.fedAvg()
                .optModelAggregator(dev.fl4j.aggregators.Aggregators.secureAggregator()
                        .optZeroing(false)
                        .optClipping(false)
                        .build())
                .build();
        Run plain = deploy(new Setup(CLIENTS, 2, null, Set.of(), CLIENTS, null));
        Run secure = deploy(new Setup(CLIENTS, 2, secagg(3), Set.of(), CLIENTS, null));
        assertArrayEquals(
                DeployFixture.bytes(plain.result().weights()),
                DeployFixture.bytes(secure.result().weights()));
        String threshold = "aggregator/mean_value/secure_upper_threshold";
        Double estimated = secure.result().history().get(1).get(threshold);
        assertTrue(estimated != null && estimated != 50.0 * 2, "the bound moved: " + estimated);
        assertEquals(plain.result().history().get(1).get(threshold), estimated);
        // the values, the weights and the quantile estimate's counts: one session per round
        assertEquals(10, secure.events().size(), secure.events().toString());
    }

    @Test
    @Timeout(240)
    void theSecurePresetWithItsAdaptiveZeroingAndClippingRunsOverTheNetwork() throws Exception {
        process = () -> DeployFixture.fedAvg()
                .optModelAggregator(
                        dev.fl4j.aggregators.Aggregators.secureAggregator().build())
                .build();
        Run plain = deploy(new Setup(CLIENTS, 2, null, Set.of(), CLIENTS, null));
        Run secure = deploy(new Setup(CLIENTS, 2, secagg(3), Set.of(), CLIENTS, null));
        assertArrayEquals(
                DeployFixture.bytes(plain.result().weights()),
                DeployFixture.bytes(secure.result().weights()));
        assertEquals(10, secure.events().size(), "one session a round: " + secure.events());
        assertTrue(secure.rejections().isEmpty(), secure.rejections().toString());
    }

    /**
     * A client weighting computed by a lambda (not a described client step) makes the weighted value an
     * input the server would compute: a secagg+ server refuses rather than hold it.
     */
    @Test
    @Timeout(240)
    void aSecureSumWhoseInputTheServerWouldComputeIsRefused() throws Exception {
        process = () -> DeployFixture.fedAvg()
                .optModelAggregator(
                        new MeanFactory(SecureSumFactory.symmetric(100), SecureSumFactory.bounds(0, 1 << 20)))
                .optClientWeightingFromMetrics(metrics -> 1.0)
                .build();
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(
                Exception.class, () -> deploy(new Setup(CLIENTS, 1, secagg(3), Set.of(), CLIENTS, null)));
        String messages = "";
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages += t.getMessage() + "\n";
        }
        assertTrue(
                messages.contains(
                        "would be computed by the runtime, which would then hold every client's" + " unmasked value"),
                messages);
    }
}
