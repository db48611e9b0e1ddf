package dev.fl4j.deploy;

import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.security.PkiFiles;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.TrainingLoop;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A small softmax FedAvg setup shared by the deployment tests and their client processes. */
public final class DeployFixture {

    public static final int CLIENTS = 3;
    public static final int BATCH = 8;
    public static final long SEED = 11;

    private DeployFixture() {}

    public static FedProxSynthetic data() {
        return FedProxSynthetic.builder(1, 1, CLIENTS, 5)
                .optExamplesPerClient(30)
                .build();
    }

    /** The seed of the fixture's FedAvg, so of its initial weights. */
    public static final long FED_AVG_SEED = 3;

    public static LearningProcess process() {
        return fedAvg().build();
    }

    /** The fixture's FedAvg, to add options to. */
    public static FedAvg.Builder fedAvg() {
        return FedAvg.builder(Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES))
                .setClientOptimizer(Sgd.of(0.05f))
                .optSeed(FED_AVG_SEED);
    }

    /** The same run on the local runtime. */
    public static ModelWeights localRun(int perRound, int rounds) {
        return localRun(process(), perRound, rounds);
    }

    /** {@code process} over the fixture's clients on the local runtime. */
    public static ModelWeights localRun(LearningProcess process, int perRound, int rounds) {
        return TrainingLoop.builder()
                .setProcess(process)
                .setTrainingData(data())
                .setClientsPerRound(perRound)
                .setRounds(rounds)
                .setPreprocessing(Preprocessing.batches(BATCH))
                .optSeed(SEED)
                .optWorkers(2)
                .build()
                .run()
                .model();
    }

    /** The fixture's process, batch size and seed, {@code perRound} clients a round for {@code rounds} rounds. */
    private static DeployServer.Builder serverOfTheProcess(int perRound, int rounds) {
        return DeployServer.builder()
                .setProcess(process())
                .setClientsPerRound(perRound)
                .setRounds(rounds)
                .setBatchSize(BATCH)
                .optSeed(SEED);
    }

    /** A server of the fixture's process over TLS with {@code pki}'s certificate, authorizing its clients' keys. */
    public static DeployServer.Builder tlsServer(PkiFiles pki, int perRound, int rounds) throws IOException {
        return serverOfTheProcess(perRound, rounds)
                .optTls(pki.serverCertificateChain(), pki.serverPrivateKey())
                .optAuthorizedKeys(pki.readAuthorizedKeys());
    }

    public static DeployServer.Builder server(int perRound, int rounds) {
        return serverOfTheProcess(perRound, rounds)
                .optInsecure(true)
                .optMinPopulation(CLIENTS)
                .optHeartbeatMillis(200);
    }

    /** Client {@code k} of the fixture's population, with its own shard. */
    public static FederatedClient client(String server, int k) throws IOException {
        return client(server, k, null);
    }

    /** Client {@code k}, keeping its client state in {@code stateDir} (null: in memory). */
    public static FederatedClient client(String server, int k, Path stateDir) throws IOException {
        FederatedClient.Builder b = clientBuilder(server, k);
        if (stateDir != null) {
            b.optStateDir(stateDir);
        }
        return b.build();
    }

    /** The builder of client {@code k} of the fixture's population (its own shard, plaintext, short backoff). */
    public static FederatedClient.Builder clientBuilder(String server, int k) {
        FedProxSynthetic data = data();
        String id = data.clientIds().get(k);
        return FederatedClient.builder()
                .setServer(server)
                .setClientId(id)
                .setData(data.datasetFor(id))
                .optInsecure(true)
                .optBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
    }

    public static byte[] bytes(ModelWeights w) {
        return ValueCodec.encode(w.asStruct());
    }

    /** Starts {@code java ClientProcessMain server k mode} on this test's class path. */
    /**
     * Runs {@code process} for {@code rounds} rounds with every client a JVM of its own keeping its state under
     * {@code tmp/clientK}; client 0 stops after {@code stopAfterRounds}, {@code whileStopped} checks its state
     * directory, and it is started again on that directory. Returns the run's result.
     */
    public static DeployResult runWithClientRestart(
            LearningProcess process, int rounds, int stopAfterRounds, Path tmp, Consumer<Process> whileStopped)
            throws Exception {
        List<Process> clients = new ArrayList<>();
        try (DeployServer server = server(CLIENTS, rounds)
                .setProcess(process)
                .optRoundTimeout(Duration.ofSeconds(5))
                .build()
                .start()) {
            String target =
                    server.address().getHostString() + ":" + server.address().getPort();
            Path dir0 = tmp.resolve("client0");
            Process first = clientProcess(target, 0, "stop-after:" + stopAfterRounds, dir0);
            clients.add(first);
            for (int k = 1; k < CLIENTS; k++) {
                clients.add(clientProcess(target, k, "normal", tmp.resolve("client" + k)));
            }
            CompletableFuture<DeployResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.run();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            whileStopped.accept(first);
            clients.add(clientProcess(target, 0, "normal", dir0));
            return run.get(180, TimeUnit.SECONDS);
        } finally {
            for (Process p : clients) {
                p.destroyForcibly();
            }
        }
    }

    public static Process clientProcess(String server, int k, String mode) throws IOException {
        return clientProcess(server, k, mode, null);
    }

    /** As {@link #clientProcess(String, int, String)}, with the client's state directory. */
    public static Process clientProcess(String server, int k, String mode, Path stateDir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ClientProcessMain.class.getName());
        cmd.add(server);
        cmd.add(String.valueOf(k));
        cmd.add(mode);
        if (stateDir != null) {
            cmd.add(stateDir.toString());
        }
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
