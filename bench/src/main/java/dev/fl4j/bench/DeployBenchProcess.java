package dev.fl4j.bench;

import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.client.SharedArguments;
import dev.fl4j.deploy.client.TrainingSlots;
import dev.fl4j.deploy.security.DevelopmentPki;
import dev.fl4j.deploy.security.PkiFiles;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.training.RoundListener;
import dev.fl4j.simulation.training.TrainingLoop;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child JVMs of {@link DeployBenchmark}, one mode each:
 *
 * <ul>
 *   <li>{@code cnn-clients SERVER PKI_DIR CLIENTS FROM TO EXAMPLES SEED SLOTS}: clients {@code FROM} to
 *       {@code TO - 1} of the CNN part, {@code FederatedClient}s sharing this JVM, its downloaded arguments and
 *       {@code SLOTS} training slots,
 *       each with its key from the PKI directory and its synthetic images, working until the run finishes;
 *   <li>{@code cnn-server PKI_DIR CLIENTS BATCH WARMUP ROUNDS SEED OUT_DIR}: the CNN part's server (TLS, the
 *       PKI's authorized keys, every client each round), which prints {@code listening on HOST:PORT}; after every
 *       round it prints {@code round ROUND} and waits for a line on its standard input (meanwhile the bench runs the
 *       local runtime's round of the same number and, after the last warm-up round and the last round, reads the
 *       CPU counters; between two rounds, so no round time includes the pause); at the end
 *       {@code tls PROTOCOL SUITE (ENGINE)}, its connections' TLS; then the
 *       final model's value bytes in {@code OUT_DIR/model.bin}, each round's metrics in
 *       {@code OUT_DIR/history.txt} ({@code ROUND NAME VALUE} a line);
 *   <li>{@code softmax-server PKI_DIR CLIENTS ROUNDS SEED}: the softmax server of the heap part (TLS,
 *       the PKI's authorized keys, every client selected each round), which prints
 *       {@code listening on HOST:PORT}, then, after the run, its peak live heap;
 *   <li>{@code softmax-clients SERVER PKI_DIR CLIENTS FROM TO SEED}: clients {@code FROM} to
 *       {@code TO - 1} of the heap part, {@code FederatedClient}s sharing this JVM.
 * </ul>
 */
public final class DeployBenchProcess {

    /** Examples per lightweight client. */
    static final int SOFTMAX_EXAMPLES = 20;
    /** Batch size of the lightweight clients. */
    static final int SOFTMAX_BATCH = 10;

    /**
     * Pause between starting two lightweight clients: a fleet's devices do not all open a TLS
     * connection in the same millisecond, and 250 handshakes at once on two cores time out and retry.
     */
    static final long START_SPACING_MILLIS = 25;

    /**
     * At most this many of a JVM's lightweight clients connecting (started, not yet registered) at
     * once: the TLS handshakes of one JVM's clients share its few event-loop threads, and on a loaded
     * machine a pile of them misses Netty's fixed 10 s handshake timeout, retries, and feeds the storm.
     */
    static final int CONNECTING_AT_ONCE = 8;

    private DeployBenchProcess() {}

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "cnn-clients" -> cnnClients(args);
            case "cnn-server" -> cnnServer(args);
            case "softmax-server" -> softmaxServer(args);
            case "softmax-clients" -> softmaxClients(args);
            default -> throw new IllegalArgumentException("unknown mode; see DeployBenchProcess's javadoc");
        }
        System.exit(0);
    }

    private static void cnnClients(String[] a) throws Exception {
        int clients = Integer.parseInt(a[3]);
        int from = Integer.parseInt(a[4]);
        int to = Integer.parseInt(a[5]);
        int examples = Integer.parseInt(a[6]);
        long seed = Long.parseLong(a[7]);
        PkiFiles pki = DevelopmentPki.files(Path.of(a[2]), clients);
        List<FederatedClient> started = new ArrayList<>();
        // the clients close (and stop training) before the slots whose trainers they share
        try (TrainingSlots slots = TrainingSlots.of(Integer.parseInt(a[8]))) {
            SharedArguments arguments = SharedArguments.forHost();
            try {
                for (int k = from; k < to; k++) {
                    started.add(tlsClient(a[1], pki, k)
                            .setData(Dataset.of(DeployBenchmark.cnnExamples(examples, seed, k)))
                            .optTrainingSlots(slots)
                            .optSharedArguments(arguments)
                            .build()
                            .start());
                }
                for (int k = from; k < to; k++) {
                    FederatedClient c = started.get(k - from);
                    if (!c.awaitFinished(Duration.ofHours(2))) {
                        throw new IllegalStateException("client " + k + " did not finish within 2 hours");
                    }
                    System.out.println("client " + k + ": " + c.tasksDone() + " tasks done, " + c.argumentsFetched()
                            + " arguments downloaded");
                }
            } finally {
                for (FederatedClient c : started) {
                    c.close();
                }
            }
        }
    }

    private static void cnnServer(String[] a) throws Exception {
        int clients = Integer.parseInt(a[2]);
        int batch = Integer.parseInt(a[3]);
        int warmup = Integer.parseInt(a[4]);
        int total = warmup + Integer.parseInt(a[5]);
        long seed = Long.parseLong(a[6]);
        Path out = Path.of(a[7]);
        PkiFiles pki = DevelopmentPki.files(Path.of(a[1]), clients);
        BufferedReader bench = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        DeployResult r;
        try (DeployServer server = DeployServer.builder()
                .setProcess(DeployBenchmark.cnnProcess(seed))
                .setClientsPerRound(clients)
                .setRounds(total)
                .setBatchSize(batch)
                .optSeed(seed)
                .optMinPopulation(clients)
                .optRoundTimeout(Duration.ofMinutes(30))
                .optTls(pki.serverCertificateChain(), pki.serverPrivateKey())
                .optAuthorizedKeys(pki.readAuthorizedKeys())
                .optListener(new RoundListener() {
                    @Override
                    public void roundFinished(int round, Map<String, Double> metrics) {
                        if (round < 1) {
                            return; // an evaluation before the first round
                        }
                        System.out.println("round " + round);
                        System.out.flush();
                        try {
                            if (bench.readLine() == null) {
                                throw new IllegalStateException("the bench closed the server's input");
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                })
                .build()
                .start()) {
            System.out.println("listening on 127.0.0.1:" + server.address().getPort());
            System.out.flush();
            r = server.run();
            System.out.println(
                    "tls " + server.negotiatedTls().map(Object::toString).orElse("none"));
        }
        Files.write(out.resolve("model.bin"), ValueCodec.encode(r.weights().asStruct()));
        StringBuilder history = new StringBuilder();
        for (int i = 0; i < r.history().size(); i++) {
            for (Map.Entry<String, Double> m : r.history().get(i).entrySet()) {
                history.append(i)
                        .append(' ')
                        .append(m.getKey())
                        .append(' ')
                        .append(m.getValue())
                        .append('\n');
            }
        }
        Files.writeString(out.resolve("history.txt"), history);
    }

    private static void softmaxServer(String[] a) throws Exception {
        int clients = Integer.parseInt(a[2]);
        int rounds = Integer.parseInt(a[3]);
        long seed = Long.parseLong(a[4]);
        PkiFiles pki = DevelopmentPki.files(Path.of(a[1]), clients);
        HeapSampler sampler = new HeapSampler();
        sampler.start();
        try (DeployServer server = DeployServer.builder()
                .setProcess(
                        FedAvg.builder(Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES))
                                .setClientOptimizer(Sgd.of(0.05f))
                                .optSeed(seed)
                                .build())
                .setClientsPerRound(clients)
                .setRounds(rounds)
                .setBatchSize(SOFTMAX_BATCH)
                .optSeed(seed)
                .optMinPopulation(clients)
                .optRoundTimeout(Duration.ofMinutes(15))
                .optHeartbeatMillis(5000)
                .optTls(pki.serverCertificateChain(), pki.serverPrivateKey())
                .optAuthorizedKeys(pki.readAuthorizedKeys())
                .build()
                .start()) {
            System.out.println("listening on 127.0.0.1:" + server.address().getPort());
            System.out.flush();
            DeployResult r = server.run();
            for (Map<String, Double> m : r.history()) {
                System.out.printf(
                        Locale.ROOT,
                        "round: clients=%.0f/%.0f, %.2f s%n",
                        m.get(TrainingLoop.CLIENTS_REPORTING),
                        m.get(TrainingLoop.CLIENTS_SAMPLED),
                        m.get(TrainingLoop.ROUND_SECONDS));
            }
        }
        sampler.stop();
        System.out.printf(
                Locale.ROOT,
                "peak live heap %d bytes, max heap %d bytes%n",
                sampler.peak(),
                Runtime.getRuntime().maxMemory());
        System.out.flush();
    }

    private static void softmaxClients(String[] a) throws Exception {
        int clients = Integer.parseInt(a[3]);
        int from = Integer.parseInt(a[4]);
        int to = Integer.parseInt(a[5]);
        long seed = Long.parseLong(a[6]);
        PkiFiles pki = DevelopmentPki.files(Path.of(a[2]), clients);
        FedProxSynthetic data = FedProxSynthetic.builder(1, 1, clients, seed)
                .optExamplesPerClient(SOFTMAX_EXAMPLES)
                .build();
        List<FederatedClient> started = new ArrayList<>();
        try {
            for (int k = from; k < to; k++) {
                started.add(tlsClient(a[1], pki, k)
                        .setData(data.datasetFor(data.clientIds().get(k)))
                        .optBackoff(Duration.ofMillis(500), Duration.ofSeconds(30))
                        .build()
                        .start());
                Thread.sleep(START_SPACING_MILLIS);
                while (connecting(started) >= CONNECTING_AT_ONCE) {
                    Thread.sleep(START_SPACING_MILLIS);
                }
            }
            System.out.println("clients " + from + ".." + (to - 1) + ": all started");
            int done = 0;
            for (FederatedClient c : started) {
                c.awaitFinished(Duration.ofMinutes(30));
                done += c.tasksDone();
            }
            System.out.println("clients " + from + ".." + (to - 1) + ": " + done + " tasks done");
        } finally {
            for (FederatedClient c : started) {
                c.close();
            }
        }
    }

    /** A builder of client {@code k} of the PKI, verifying the server against its CA and signing with its key. */
    private static FederatedClient.Builder tlsClient(String server, PkiFiles pki, int k) throws IOException {
        return FederatedClient.builder()
                .setServer(server)
                .optTrust(pki.caCertificate())
                .optKey(pki.readClientKey(k));
    }

    private static int connecting(List<FederatedClient> clients) {
        int n = 0;
        for (FederatedClient c : clients) {
            if (!c.registered() && c.tasksDone() == 0) {
                n++;
            }
        }
        return n;
    }

    /** The heap in use right after a full GC, every half second; the most of those. */
    private static final class HeapSampler {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final AtomicLong peak = new AtomicLong();
        private volatile boolean stopped;
        private final Thread thread = new Thread(this::loop, "heap-sampler");

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (!stopped) {
                sample();
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            peak.accumulateAndGet(used, Math::max);
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.interrupt();
            thread.join();
        }

        long peak() {
            return peak.get();
        }
    }
}
