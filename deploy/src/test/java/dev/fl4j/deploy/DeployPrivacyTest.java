package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.security.AuthorizedKeys;
import dev.fl4j.deploy.security.ClientKey;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.deploy.server.NaturalOrder;
import dev.fl4j.deploy.server.ServerStore;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.PrivacyLedgerFile;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differentially private aggregation on a deployed server: the authorized clients are Poisson-sampled,
 * a round is released with whoever reported however few (never abandoned or sampled again), the model
 * without noise is bitwise the local runtime's over the clients the round log names, ε per round is
 * simulate's for the same q, noise and rounds, only what ε covers is released, and what would change
 * the sampling is refused.
 */
class DeployPrivacyTest {

    private static final String EPSILON = "aggregator/privacy/epsilon";
    private static final Pattern RELEASED = Pattern.compile("(.*/)?(privacy|dp_query_metrics)/[^/]+");

    @TempDir
    Path dir;

    @BeforeAll
    static void warmEngine() {
        DeployFixture.localRun(1, 1); // the engine's first session is slow; keep it out of the round deadlines
    }

    /** {@code n} client keys, sorted as the server orders the population (natural order of their ids). */
    private static List<ClientKey> keys(int n) {
        SecureRandom random = new SecureRandom();
        List<ClientKey> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(ClientKey.generate(random));
        }
        keys.sort((a, b) -> NaturalOrder.INSTANCE.compare(a.id(), b.id()));
        return keys;
    }

    private static AuthorizedKeys authorized(List<ClientKey> keys) {
        return AuthorizedKeys.of(keys.stream().map(ClientKey::publicKey).toList());
    }

    private static DifferentiallyPrivateFactory dp(double noise, int perRound, int population) {
        return DifferentiallyPrivateFactory.gaussianFixed(noise, perRound, 0.5).toBuilder()
                .optPopulation(population)
                .build();
    }

    private static LearningProcess process(DifferentiallyPrivateFactory dp) {
        return DeployFixture.fedAvg().optModelAggregator(dp).build();
    }

    private static DeployServer.Builder server(
            DifferentiallyPrivateFactory dp, int perRound, int rounds, List<ClientKey> keys) {
        return DeployServer.builder()
                .setProcess(process(dp))
                .setClientsPerRound(perRound)
                .setRounds(rounds)
                .setBatchSize(DeployFixture.BATCH)
                .optSeed(DeployFixture.SEED)
                .optInsecure(true)
                .optAuthorizedKeys(authorized(keys))
                .optPrivacy(dp)
                .optHeartbeatMillis(200);
    }

    /** Client with key {@code k} training on the fixture's shard {@code shard}. */
    private static FederatedClient client(String target, ClientKey key, int shard, boolean failing) throws Exception {
        FedProxSynthetic data = DeployFixture.data();
        FederatedClient.Builder b = FederatedClient.builder()
                .setServer(target)
                .optKey(key)
                .setData(data.datasetFor(data.clientIds().get(shard)))
                .optInsecure(true)
                .optBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
        if (failing) {
            b.optBatchMap(d -> {
                throw new IllegalStateException("this client's data cannot be prepared");
            });
        }
        return b.build().start();
    }

    private static String target(DeployServer server) {
        return server.address().getHostString() + ":" + server.address().getPort();
    }

    /**
     * {@code process} on the local runtime, round r over {@code participants.get(r - 1)}, client {@code keys.get(i)}
     * holding shard {@code i} and shuffling as the server's population index {@code i} says.
     */
    private static ModelWeights localRunOver(
            LearningProcess process, List<ClientKey> keys, List<List<String>> participants) {
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
                            data.datasetFor(data.clientIds().get(i)),
                            TrainingLoop.clientShuffleSeed(DeployFixture.SEED, round, i));
                });
                state = process.next(runtime, state, clients).state();
            }
            return process.getModelWeights(state);
        }
    }

    @Test
    @Timeout(120)
    void withoutNoiseTheModelIsTheLocalRuntimesOverTheSampledClientsAndOnlyPrivacyIsReleased() throws Exception {
        int rounds = 3;
        List<ClientKey> keys = keys(3);
        DifferentiallyPrivateFactory dp = dp(0, 2, 3);
        Path db = dir.resolve("server.db");
        List<FederatedClient> clients = new ArrayList<>();
        DeployResult result;
        try (DeployServer server = server(dp, 2, rounds, keys)
                .optMinPopulation(3)
                .optRoundTimeout(Duration.ofSeconds(30))
                .optStore(db)
                .build()
                .start()) {
            for (int k = 0; k < 3; k++) {
                clients.add(client(target(server), keys.get(k), k, false));
            }
            result = server.run();
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
        List<List<String>> participants = new ArrayList<>();
        try (ServerStore store = ServerStore.open(db)) {
            for (int r = 1; r <= rounds; r++) {
                assertEquals(List.of("completed"), store.outcomes(r), "round " + r);
                participants.add(store.participants(r));
            }
        }
        assertArrayEquals(
                DeployFixture.bytes(localRunOver(process(dp(0, 2, 3)), keys, participants)),
                DeployFixture.bytes(result.weights()),
                "bitwise the local runtime's model over the sampled clients " + participants);
        for (Map<String, Double> m : result.history()) {
            for (String key : m.keySet()) {
                assertTrue(RELEASED.matcher(key).matches(), "released " + key + " in " + m.keySet());
            }
            assertTrue(m.containsKey(EPSILON), m.keySet().toString());
        }
    }

    @Test
    @Timeout(120)
    void epsilonPerRoundIsSimulatesForTheSameSamplingRateNoiseAndRounds() throws Exception {
        int rounds = 3;
        List<ClientKey> keys = keys(3);
        DifferentiallyPrivateFactory dp = dp(1.0, 2, 3);
        List<FederatedClient> clients = new ArrayList<>();
        DeployResult deployed;
        try (DeployServer server = server(dp, 2, rounds, keys)
                .optMinPopulation(3)
                .optRoundTimeout(Duration.ofSeconds(30))
                .build()
                .start()) {
            for (int k = 0; k < 3; k++) {
                clients.add(client(target(server), keys.get(k), k, false));
            }
            deployed = server.run();
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
        DifferentiallyPrivateFactory simulated = dp(1.0, 2, 3);
        TrainingResult simulate = TrainingLoop.builder()
                .setProcess(process(simulated))
                .setTrainingData(DeployFixture.data())
                .setClientsPerRound(2)
                .setRounds(rounds)
                .setPreprocessing(Preprocessing.batches(DeployFixture.BATCH))
                .optSeed(DeployFixture.SEED)
                .optPrivacy(simulated)
                .optWorkers(2)
                .build()
                .run();
        assertEquals(rounds, deployed.history().size());
        for (int r = 1; r <= rounds; r++) {
            double e = deployed.history().get(r - 1).get(EPSILON);
            assertEquals(simulate.history().get(r - 1).metrics().get(EPSILON), e, "round " + r);
            assertEquals(dp.epsilonAfter(r).epsilon(), e, "round " + r);
        }
        assertTrue(
                deployed.history().get(rounds - 1).get(EPSILON)
                        > deployed.history().get(0).get(EPSILON),
                "epsilon grows with the rounds");
    }

    @Test
    @Timeout(120)
    void aRoundIsReleasedWithWhoeverReportedBelowMinClientsAndNeverSampledAgain() throws Exception {
        // four authorized clients, all sampled (q = 1): one never connects, one fails its task, two report,
        // fewer than the three of --min-clients; the round is run again over the two and released
        int rounds = 2;
        List<ClientKey> keys = keys(4);
        DifferentiallyPrivateFactory dp = dp(0, 4, 4);
        Path db = dir.resolve("server.db");
        List<FederatedClient> clients = new ArrayList<>();
        DeployResult result;
        try (DeployServer server = server(dp, 4, rounds, keys)
                .optMinClients(3)
                .optRoundTimeout(Duration.ofSeconds(4))
                .optStore(db)
                .build()
                .start()) {
            clients.add(client(target(server), keys.get(0), 0, false));
            clients.add(client(target(server), keys.get(1), 1, true));
            clients.add(client(target(server), keys.get(2), 2, false));
            result = server.run();
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
        List<String> reported = List.of(keys.get(0).id(), keys.get(2).id());
        try (ServerStore store = ServerStore.open(db)) {
            for (int r = 1; r <= rounds; r++) {
                assertEquals(List.of("retried", "completed"), store.outcomes(r), "round " + r);
                assertEquals(reported, store.participants(r), "round " + r);
            }
        }
        assertEquals(rounds, result.rounds());
        assertArrayEquals(
                DeployFixture.bytes(localRunOver(process(dp(0, 4, 4)), keys, List.of(reported, reported))),
                DeployFixture.bytes(result.weights()),
                "the released rounds are the local runtime's over the two that reported");
    }

    /** One private run of {@code rounds} on a server checkpointing in {@code store}, three clients. */
    private DeployResult checkpointedRun(List<ClientKey> keys, CheckpointStore store, int rounds) throws Exception {
        DifferentiallyPrivateFactory dp =
                dp(1.0, 2, 3).toBuilder().optLedger(PrivacyLedgerFile.in(store)).build();
        List<FederatedClient> clients = new ArrayList<>();
        try (DeployServer server = server(dp, 2, rounds, keys)
                .optMinPopulation(3)
                .optRoundTimeout(Duration.ofSeconds(30))
                .optCheckpoints(store, RunConfig.of(Map.of("run", "private")))
                .build()
                .start()) {
            for (int k = 0; k < 3; k++) {
                clients.add(client(target(server), keys.get(k), k, false));
            }
            return server.run();
        } finally {
            for (FederatedClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    @Timeout(120)
    void aRestartedPrivateServerResumesAndCountsEveryRoundFromItsLedger() throws Exception {
        List<ClientKey> keys = keys(3);
        CheckpointStore store = new CheckpointStore(dir.resolve("ckpt"));
        DeployResult first = checkpointedRun(keys, store, 1);
        assertEquals(1L, PrivacyLedgerFile.in(store).spent(), "round 1 recorded before its release");
        DeployResult resumed = checkpointedRun(keys, store, 2);
        assertEquals(2, resumed.rounds());
        assertEquals(2L, PrivacyLedgerFile.in(store).spent());
        assertEquals(first.history().get(0), resumed.history().get(0), "round 1 comes from the checkpoint");
        assertEquals(
                dp(1.0, 2, 3).epsilonAfter(2).epsilon(),
                resumed.history().get(1).get(EPSILON),
                "epsilon after round 2 counts the round run before the restart");
    }

    @Test
    void whatWouldChangeTheSamplingIsRefused() {
        List<ClientKey> keys = keys(3);
        DifferentiallyPrivateFactory dp = dp(1.0, 2, 3);
        IllegalStateException noKeys = assertThrows(
                IllegalStateException.class,
                () -> DeployFixture.server(2, 1)
                        .setProcess(process(dp))
                        .optPrivacy(dp)
                        .build());
        assertTrue(noKeys.getMessage().startsWith("optPrivacy needs optAuthorizedKeys"), noKeys.getMessage());

        IllegalArgumentException over = assertThrows(
                IllegalArgumentException.class,
                () -> server(dp, 2, 1, keys).optOverSelection(0.5).build());
        assertTrue(
                over.getMessage().startsWith("optOverSelection 0.5 with optPrivacy")
                        && over.getMessage().contains("neither Poisson-sampled nor at the rate q = 0.6666666666666666"),
                over.getMessage());

        DifferentiallyPrivateFactory ofFour = dp(1.0, 2, 4);
        IllegalArgumentException population = assertThrows(
                IllegalArgumentException.class,
                () -> server(ofFour, 2, 1, keys).setProcess(process(ofFour)).build());
        assertTrue(
                population.getMessage().contains("population of 4 clients, but 3 clients are authorized")
                        && population.getMessage().contains("optPopulation(3)"),
                population.getMessage());

        IllegalArgumentException perRound = assertThrows(
                IllegalArgumentException.class, () -> server(dp, 1, 1, keys).build());
        assertTrue(perRound.getMessage().contains("expects 2 clients per round"), perRound.getMessage());

        IllegalArgumentException everyOther = assertThrows(
                IllegalArgumentException.class,
                () -> server(dp, 2, 1, keys)
                        .optCheckpoints(
                                new CheckpointStore(dir.resolve("ckpt")), 2, RunConfig.of(Map.of("run", "private")))
                        .build());
        assertTrue(everyOther.getMessage().contains("checkpoints every round"), everyOther.getMessage());

        IllegalStateException undeclared = assertThrows(
                IllegalStateException.class,
                () -> DeployFixture.server(2, 1).setProcess(process(dp)).build());
        assertTrue(undeclared.getMessage().contains("give that factory to optPrivacy"), undeclared.getMessage());
    }
}
