package dev.fl4j.bench;

import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.deploy.security.DevelopmentPki;
import dev.fl4j.deploy.security.PkiFiles;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.deploy.server.NaturalOrder;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.RoundListener;
import dev.fl4j.simulation.training.TrainingLoop;
import dev.fl4j.simulation.training.TrainingResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fl4j bench deploy}: what deployment costs against simulation, in one run.
 *
 * <ol>
 *   <li><b>Round time.</b> FedAvg on the FedAvg CNN over {@code clients} clients with synthetic
 *       image data: on the {@link LocalRuntime} (one worker per core) in this JVM and on a
 *       {@link DeployServer} in a JVM of its own with every client a {@code FederatedClient} on 127.0.0.1, their
 *       rounds alternating (deployed round r, then local round r, while the other side waits between two rounds:
 *       the machine's speed drifts over minutes, and rounds that alternate meet a drift alike), the
 *       clients spread over {@code clientJvms} JVMs (so neither side's JIT compiler works for the other); the
 *       clients of one JVM share its {@link dev.fl4j.deploy.client.TrainingSlots}, its share of the cores, so
 *       that several clients in a JVM train as many at a time as the local runtime's workers; with TLS and
 *       signed requests (a {@link DevelopmentPki} written to a temporary directory), all clients every round, the
 *       client JVMs on the collector {@code fl4j client} runs on ({@link #CLIENT_COLLECTOR}).
 *       {@code warmupRounds} untimed rounds each (30 by default: the client JVMs start cold and their JIT
 *       compilers work through the first rounds, so the figure is a long run's steady state; the receive path of
 *       the broadcast a client JVM downloads once a round, Netty's HTTP/2 and TLS code, crosses C2's thresholds only
 *       at about the twelfth round, and after 12 warm-up rounds the client JVMs still compiled 0.26-0.46 s a round
 *       against the local JVM's 0.13; with one warm-up round the ratio read about 1.6), then the timed
 *       rounds (5 by default); the ratio is the deployed median round time over the local one. The two final
 *       models must be bitwise equal, or the run fails. Next to the wall times, the CPU seconds per
 *       timed round of each side (the local JVM; the server JVM and the client JVMs) and the cores the
 *       rest of the machine kept busy, since on a shared machine the two sides run under different loads; and
 *       the same CPU seconds by kind of thread ({@link ThreadCpu}: the work, gRPC and the network side, the JIT
 *       compilers, the garbage collector, the rest), which tells what deployment adds to the training.
 *   <li><b>Wire bytes.</b> Over the deployed timed rounds, the bytes on the wire against the bits
 *       the runtime accounted (broadcast plus aggregated): the TCP payload bytes of the server's
 *       connections as the kernel counts them ({@code ss -ti}: TLS records, HTTP/2 frames, protobuf,
 *       heartbeats and polls included), and the protocol's own count of its serialized messages
 *       ({@code WireStats}). The bytes due are the accounted ones less the broadcast bytes a client JVM downloaded
 *       once for all its clients ({@link dev.fl4j.deploy.client.SharedArguments}; the accounting counts a
 *       broadcast once per client): the ratio is what the protocol's framing costs.
 *   <li><b>Server heap.</b> A server for the softmax model in a JVM of its own with a 512 MiB heap
 *       cap and {@code lightweightClients} real gRPC clients (TLS, their own keys) connected from
 *       {@code lightweightJvms} JVMs ({@code FederatedClient} instances sharing each JVM), all of
 *       them selected each round: the server's peak live heap (heap in use right after a full GC,
 *       sampled every half second from the first connection to the end of the run).
 * </ol>
 */
public final class DeployBenchmark {

    /** Target: deployed round time / local round time. */
    public static final double ROUND_TIME_RATIO_TARGET = 1.10;
    /** Target: wire bytes / bytes due (the accounted bytes less those the client JVMs shared). */
    public static final double WIRE_RATIO_TARGET = 1.01;
    /** Target: the server's peak live heap with the lightweight clients connected. */
    public static final long SERVER_HEAP_TARGET = 512L << 20;

    /**
     * The collector of the client JVMs unless their options name one: the one {@code fl4j client}'s launcher gives
     * its JVM ({@code scripts/jvm-defaults}). A training client allocates model-sized arrays for every task (the
     * argument it decodes, the result and its copies), humongous objects for G1, which with the arrays the client
     * keeps start G1's concurrent cycles again and again: the two client JVMs' collectors took 0.04-0.34 s of CPU a
     * timed round on G1 here, 0.01-0.02 s on the parallel collector.
     */
    static final String CLIENT_COLLECTOR = "-XX:+UseParallelGC";

    private static final Pattern COLLECTOR_OPTION =
            Pattern.compile("-XX:[+-]Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC");
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+:\\d+)");
    private static final Pattern HEAP = Pattern.compile("peak live heap (\\d+) bytes, max heap (\\d+) bytes");

    private DeployBenchmark() {}

    /** What to run. */
    public record Options(
            int clients,
            int clientJvms,
            int examplesPerClient,
            int batch,
            int rounds,
            int warmupRounds,
            int lightweightClients,
            int lightweightJvms,
            int lightweightRounds,
            long seed,
            List<String> clientJvmOptions,
            List<String> serverJvmOptions) {
        public Options {
            clientJvmOptions = launcherOptions("client", clientJvmOptions);
            serverJvmOptions = launcherOptions("server", serverJvmOptions);
            positive("clients", clients);
            positive("client JVMs", clientJvms);
            if (clientJvms > clients) {
                throw new IllegalArgumentException(
                        "client JVMs (" + clientJvms + ") must not exceed the clients (" + clients + ")");
            }
            positive("batch", batch);
            positive("rounds", rounds);
            positive("warm-up rounds", warmupRounds);
            if (examplesPerClient < batch) {
                throw new IllegalArgumentException(
                        "examples per client (" + examplesPerClient + ") must be at least one batch (" + batch + ")");
            }
            if (lightweightClients < 0) {
                throw new IllegalArgumentException(
                        "lightweight clients must be >= 0 (0: skip the heap part), got " + lightweightClients);
            }
            if (lightweightClients > 0) {
                positive("lightweight JVMs", lightweightJvms);
                positive("lightweight rounds", lightweightRounds);
                if (lightweightJvms > lightweightClients) {
                    throw new IllegalArgumentException("lightweight JVMs (" + lightweightJvms
                            + ") must not exceed the lightweight clients (" + lightweightClients + ")");
                }
            }
        }

        public static Options defaults() {
            // as many client JVMs as the local runtime has workers: each a host of its share of the clients
            int clientJvms = Math.min(10, Runtime.getRuntime().availableProcessors());
            return new Options(10, clientJvms, 600, 20, 5, 30, 1000, 4, 2, 1, List.of(), List.of());
        }

        private static List<String> launcherOptions(String side, List<String> options) {
            for (String jvmOption : options) {
                if (!jvmOption.startsWith("-X")
                        && !jvmOption.startsWith("-D")
                        && !jvmOption.startsWith("-agentpath:")) {
                    throw new IllegalArgumentException("a " + side + " JVM option is a -X..., -D... or -agentpath:..."
                            + " option of the java launcher (such as -XX:TieredStopAtLevel=1), got '" + jvmOption
                            + "'");
                }
            }
            return List.copyOf(options);
        }

        private static void positive(String name, int v) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, got " + v);
            }
        }
    }

    /**
     * The measurements. {@code tcpBytes} is empty where the kernel's counters could not be read;
     * {@code serverPeakLiveHeap} is empty when the heap part was skipped. {@code sharedArgumentBytes} are the
     * broadcast bytes the accounting counts once per client but a client JVM downloaded once for its clients
     * (the server's {@link DeployServer#ARGUMENT_BYTES_SHARED}).
     */
    public record Result(
            double localSeconds,
            double deployedSeconds,
            long protocolBytes,
            Optional<Long> tcpBytes,
            long accountedBits,
            long sharedArgumentBytes,
            Optional<Long> serverPeakLiveHeap,
            long serverMaxHeap,
            CpuSplit cpu) {

        public double roundTimeRatio() {
            return deployedSeconds / localSeconds;
        }

        /**
         * Wire bytes (TCP where known, else the protocol's messages) over the bytes due: the accounted bytes less
         * those the client JVMs shared, which never were to cross the wire. What the protocol's framing costs.
         */
        public double wireRatio() {
            return tcpBytes.orElse(protocolBytes) / dueBytes();
        }

        public double protocolRatio() {
            return protocolBytes / dueBytes();
        }

        /** The accounted bytes less the shared argument bytes. */
        public double dueBytes() {
            return accountedBits / 8.0 - sharedArgumentBytes;
        }
    }

    /**
     * CPU seconds per timed round: the local runtime's JVM; the deployed server's JVM and its client
     * JVMs (from {@code /proc/PID/stat}, NaN where unreadable); and the cores the rest of the machine
     * kept busy meanwhile, so a wall-time ratio taken under another load can be told apart from what
     * deployment itself costs.
     */
    public record CpuSplit(double local, double server, double clients, double otherCores) {

        public double deployed() {
            return server + clients;
        }

        public double ratio() {
            return deployed() / local;
        }
    }

    public static Result run(PrintStream out, Options o) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("fl4j-bench-deploy");
        try {
            return run(out, o, dir);
        } finally {
            deleteTree(dir);
        }
    }

    private static Result run(PrintStream out, Options o, Path dir) throws IOException, InterruptedException {
        out.printf(
                Locale.ROOT,
                "bench deploy: FedAvg fedavg_cnn, %d clients x %d synthetic examples (batch %d), all clients every"
                        + " round, %d warm-up + %d timed rounds;%n  local runtime (%d workers, this JVM) vs a TLS"
                        + " server JVM%s with %d client JVMs (options %s) on 127.0.0.1 (%d training slot%s each,"
                        + " the downloaded broadcast shared); load average %s%n",
                o.clients(),
                o.examplesPerClient(),
                o.batch(),
                o.warmupRounds(),
                o.rounds(),
                Runtime.getRuntime().availableProcessors(),
                o.serverJvmOptions().isEmpty() ? "" : " (options " + String.join(" ", o.serverJvmOptions()) + ")",
                o.clientJvms(),
                String.join(" ", clientJvmOptions(o.clientJvmOptions())),
                trainingSlots(o),
                trainingSlots(o) == 1 ? "" : "s",
                loadAverage());
        PkiFiles pki = DevelopmentPki.generate(o.clients(), List.of(), new SecureRandom())
                .write(dir.resolve("cnn-keys"));
        List<String> ids = new ArrayList<>();
        Map<String, Integer> keyIndex = new HashMap<>();
        for (int k = 0; k < o.clients(); k++) {
            String id = pki.readClientKey(k).id();
            ids.add(id);
            keyIndex.put(id, k);
        }
        ids.sort(NaturalOrder.INSTANCE); // the server's population order
        Map<String, Examples> examples = new LinkedHashMap<>();
        for (String id : ids) {
            examples.put(id, cnnExamples(o.examplesPerClient(), o.seed(), keyIndex.get(id)));
        }
        ClientData data = ClientData.fromExamples(examples);
        int totalRounds = o.warmupRounds() + o.rounds();

        CpuUsage[] localCpu = new CpuUsage[2];
        ThreadCpu[] localThreads = new ThreadCpu[2];
        long self = ProcessHandle.current().pid();
        LocalRounds local = new LocalRounds(o, data, totalRounds, round -> {
            if (round == o.warmupRounds() || round == totalRounds) {
                localCpu[round == o.warmupRounds() ? 0 : 1] = CpuUsage.now();
                localThreads[round == o.warmupRounds() ? 0 : 1] = ThreadCpu.of(self);
            }
        });

        TcpCounter tcp = new TcpCounter();
        List<Process> clients = new ArrayList<>();
        CpuUsage[] machine = new CpuUsage[2];
        double[] serverCpu = new double[2];
        double[] clientsCpu = new double[2];
        ThreadCpu[] serverThreads = new ThreadCpu[2];
        List<List<ThreadCpu>> clientThreads = new ArrayList<>(List.of(List.of(), List.of()));
        Path serverOut = Files.createDirectories(dir.resolve("cnn-server"));
        Process server = command(
                        o.serverJvmOptions(),
                        "-Xmx1g",
                        "cnn-server",
                        pki.dir().toString(),
                        String.valueOf(o.clients()),
                        String.valueOf(o.batch()),
                        String.valueOf(o.warmupRounds()),
                        String.valueOf(o.rounds()),
                        String.valueOf(o.seed()),
                        serverOut.toString())
                .redirectError(dir.resolve("cnn-server.log").toFile())
                .start();
        String tls = "not reported";
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            PrintStream toServer = new PrintStream(server.getOutputStream(), true, StandardCharsets.UTF_8);
            for (String line; (line = lines.readLine()) != null; ) {
                Matcher listening = LISTENING.matcher(line);
                if (listening.find()) {
                    String address = listening.group(1);
                    tcp.port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                    for (int j = 0; j < o.clientJvms(); j++) {
                        int from = firstClient(j, o.clientJvms(), o.clients());
                        int to = firstClient(j + 1, o.clientJvms(), o.clients());
                        clients.add(child(
                                dir.resolve("cnn-clients-" + j + ".log"),
                                clientJvmOptions(o.clientJvmOptions()),
                                "-Xmx" + (512 + 256 * (to - from)) + "m",
                                "cnn-clients",
                                address,
                                pki.dir().toString(),
                                String.valueOf(o.clients()),
                                String.valueOf(from),
                                String.valueOf(to),
                                String.valueOf(o.examplesPerClient()),
                                String.valueOf(o.seed()),
                                String.valueOf(trainingSlots(o))));
                    }
                } else if (line.startsWith("tls ")) {
                    tls = line.substring("tls ".length());
                } else if (line.startsWith("round ")) {
                    // the server waits between two rounds until told to go on (no round time includes this); the
                    // local runtime's round of the same number runs meanwhile, so the two sides' rounds alternate
                    // and a drift of the machine's speed reaches both alike
                    int round = Integer.parseInt(line.substring("round ".length()));
                    if (round == o.warmupRounds() || round == totalRounds) {
                        int i = round == o.warmupRounds() ? 0 : 1;
                        tcp.snapshot(i == 0);
                        machine[i] = CpuUsage.now();
                        serverCpu[i] = ProcessCpu.seconds(server.pid());
                        clientsCpu[i] = ProcessCpu.seconds(clients);
                        serverThreads[i] = ThreadCpu.of(server.pid());
                        clientThreads.set(i, ThreadCpu.of(clients));
                    }
                    local.run(round);
                    toServer.println("go");
                }
            }
            if (server.waitFor() != 0 || machine[1] == null) {
                throw new IllegalStateException("the deployed server failed (exit " + server.exitValue() + "): "
                        + Files.readString(dir.resolve("cnn-server.log")));
            }
        } finally {
            server.destroyForcibly();
            for (Process p : clients) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        TrainingResult localResult = local.result();
        List<Double> localSeconds = timed(records(localResult.history()), o.rounds());
        out.printf(Locale.ROOT, "local    rounds %s s%n", format(localSeconds));
        List<Map<String, Double>> h = history(serverOut.resolve("history.txt"));
        List<Double> deployedSeconds = timed(h, o.rounds());
        out.printf(Locale.ROOT, "deployed rounds %s s (TLS: %s)%n", format(deployedSeconds), tls);
        if (!bytes(localResult.model())
                .equals(HexFormat.of().formatHex(Files.readAllBytes(serverOut.resolve("model.bin"))))) {
            throw new IllegalStateException("the deployed model after " + totalRounds
                    + " rounds differs from the local runtime's: deployment and simulation disagree");
        }
        Map<String, Double> first = h.get(h.size() - 1 - o.rounds()); // the last warm-up round
        Map<String, Double> last = h.get(h.size() - 1);
        long protocol = (long) (delta(first, last, DeployServer.WIRE_SENT_BYTES)
                + delta(first, last, DeployServer.WIRE_RECEIVED_BYTES));
        long accounted = (long)
                (delta(first, last, TrainingLoop.BROADCASTED_BITS) + delta(first, last, TrainingLoop.AGGREGATED_BITS));
        long shared = (long) delta(first, last, DeployServer.ARGUMENT_BYTES_SHARED);
        Optional<Long> tcpBytes = tcp.delta();

        Optional<Long> heap = Optional.empty();
        long maxHeap = 0;
        // the two sides' timed rounds alternate, so the rest of the machine is what neither side's JVMs used
        CpuSplit cpu = new CpuSplit(
                localCpu[1].processSecondsSince(localCpu[0]) / o.rounds(),
                (serverCpu[1] - serverCpu[0]) / o.rounds(),
                (clientsCpu[1] - clientsCpu[0]) / o.rounds(),
                Math.max(
                        0,
                        machine[1].machineCoresSince(machine[0])
                                - machine[1].processCoresSince(machine[0])
                                - (serverCpu[1] - serverCpu[0] + clientsCpu[1] - clientsCpu[0])
                                        / machine[1].wallSecondsSince(machine[0])));
        Result cnn = new Result(
                median(localSeconds),
                median(deployedSeconds),
                protocol,
                tcpBytes,
                accounted,
                shared,
                heap,
                maxHeap,
                cpu);
        print(out, o, cnn);
        out.printf(
                Locale.ROOT,
                "  (CPU s per timed round by thread: local JVM %s;%n   server JVM %s;%n" + "   %d client JVMs %s)%n",
                ThreadCpu.format(localThreads[1].since(localThreads[0]), o.rounds()),
                ThreadCpu.format(serverThreads[1].since(serverThreads[0]), o.rounds()),
                o.clientJvms(),
                ThreadCpu.format(ThreadCpu.since(clientThreads.get(0), clientThreads.get(1)), o.rounds()));
        // on a loaded machine the kernel drops and resends loopback segments; those bytes are on the wire twice
        // but not of the protocol's making, so the ratio without them is what the protocol's framing costs
        if (tcpBytes.isPresent() && tcp.retransmitted().isPresent()) {
            long again = tcp.retransmitted().get();
            double once = (tcpBytes.get() - again) / cnn.dueBytes();
            row(
                    out,
                    "wire bytes (TCP, retransmissions out) / due",
                    String.format(Locale.ROOT, "%.4f", once),
                    String.format(Locale.ROOT, "<= %.2f", WIRE_RATIO_TARGET),
                    once <= WIRE_RATIO_TARGET);
            out.printf(
                    Locale.ROOT,
                    "  (the kernel retransmitted %,d B = %.4f of the bytes due, counted in the TCP figure)%n",
                    again,
                    again / cnn.dueBytes());
        }
        if (o.lightweightClients() == 0) {
            return cnn;
        }
        long[] heapFigures = lightweight(out, o, dir);
        Result r = new Result(
                cnn.localSeconds(),
                cnn.deployedSeconds(),
                protocol,
                tcpBytes,
                accounted,
                shared,
                Optional.of(heapFigures[0]),
                heapFigures[1],
                cpu);
        printHeap(out, o, r);
        return r;
    }

    /** Runs the softmax server and the lightweight clients; returns {peak live heap, max heap} of the server. */
    private static long[] lightweight(PrintStream out, Options o, Path dir) throws IOException, InterruptedException {
        int n = o.lightweightClients();
        out.printf(
                Locale.ROOT,
                "server heap: softmax server JVM (-Xmx512m), %d TLS clients from %d JVMs, all selected, %d rounds%n",
                n,
                o.lightweightJvms(),
                o.lightweightRounds());
        PkiFiles pki = DevelopmentPki.generate(n, List.of(), new SecureRandom()).write(dir.resolve("softmax-keys"));
        Process server = child(
                null,
                List.of(),
                "-Xmx512m",
                "softmax-server",
                pki.dir().toString(),
                String.valueOf(n),
                String.valueOf(o.lightweightRounds()),
                String.valueOf(o.seed()));
        List<Process> clients = new ArrayList<>();
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<List<String>> output = new CompletableFuture<>();
        CompletableFuture<String> address = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            List<String> all = new ArrayList<>();
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    all.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        address.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // the process ended; what was read is the output
            }
            address.complete("");
            output.complete(all);
        });
        reader.setDaemon(true);
        reader.start();
        try {
            String a = address.get(120, TimeUnit.SECONDS);
            if (a.isEmpty()) {
                throw new IllegalStateException("the softmax server ended before listening: " + output.join());
            }
            int per = (n + o.lightweightJvms() - 1) / o.lightweightJvms();
            for (int j = 0; j < o.lightweightJvms(); j++) {
                int from = j * per;
                int to = Math.min(n, from + per);
                clients.add(child(
                        dir.resolve("softmax-clients-" + j + ".log"),
                        clientJvmOptions(List.of()),
                        "-Xmx1g",
                        "softmax-clients",
                        a,
                        pki.dir().toString(),
                        String.valueOf(n),
                        String.valueOf(from),
                        String.valueOf(to),
                        String.valueOf(o.seed())));
            }
            if (!server.waitFor(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the softmax server did not finish in 30 minutes");
            }
            List<String> all = output.get(30, TimeUnit.SECONDS);
            if (server.exitValue() != 0) {
                throw new IllegalStateException(
                        "the softmax server failed (exit " + server.exitValue() + "): " + String.join("\n", all));
            }
            for (String line : all) {
                Matcher m = HEAP.matcher(line);
                if (m.find()) {
                    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
                }
            }
            throw new IllegalStateException("the softmax server did not report its heap: " + String.join("\n", all));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the softmax server did not start: " + e, e);
        } finally {
            server.destroyForcibly();
            for (Process p : clients) {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static void print(PrintStream out, Options o, Result r) {
        out.println();
        out.printf(Locale.ROOT, "%-52s %-14s %-10s %s%n", "measure", "value", "target", "met");
        row(
                out,
                "round time deployed/local (medians "
                        + String.format(Locale.ROOT, "%.2f/%.2f s", r.deployedSeconds(), r.localSeconds()) + ")",
                String.format(Locale.ROOT, "%.3f", r.roundTimeRatio()),
                String.format(Locale.ROOT, "<= %.2f", ROUND_TIME_RATIO_TARGET),
                r.roundTimeRatio() <= ROUND_TIME_RATIO_TARGET);
        CpuSplit c = r.cpu();
        out.printf(
                Locale.ROOT,
                "  (CPU per timed round: local %.2f s; deployed %.2f s = server %.2f s + %d client JVMs %.2f s;"
                        + " ratio %.3f;%n   the rest of the machine kept %.1f cores busy during the timed rounds)%n",
                c.local(),
                c.deployed(),
                c.server(),
                o.clientJvms(),
                c.clients(),
                c.ratio(),
                c.otherCores());
        row(
                out,
                r.tcpBytes().isPresent() ? "wire bytes (TCP) / bytes due" : "wire bytes (protocol) / bytes due",
                String.format(Locale.ROOT, "%.4f", r.wireRatio()),
                String.format(Locale.ROOT, "<= %.2f", WIRE_RATIO_TARGET),
                r.wireRatio() <= WIRE_RATIO_TARGET);
        out.printf(
                Locale.ROOT,
                "  (timed rounds: accounted %,d B, less %,d B of broadcast the client JVMs downloaded once for their"
                        + " clients: due %,.0f B; protocol messages %,d B = %.4f; TCP %s)%n",
                r.accountedBits() / 8,
                r.sharedArgumentBytes(),
                r.dueBytes(),
                r.protocolBytes(),
                r.protocolRatio(),
                r.tcpBytes().map(b -> String.format(Locale.ROOT, "%,d B", b)).orElse("not readable (no ss)"));
        out.println("final models bitwise equal (local runtime, deployed); load average now " + loadAverage());
    }

    private static void printHeap(PrintStream out, Options o, Result r) {
        if (r.serverPeakLiveHeap().isPresent()) {
            long h = r.serverPeakLiveHeap().get();
            row(
                    out,
                    "server peak live heap, " + o.lightweightClients() + " clients (softmax)",
                    String.format(Locale.ROOT, "%.1f MiB", h / 1048576.0),
                    "<= 512 MiB",
                    h <= SERVER_HEAP_TARGET);
            out.printf(Locale.ROOT, "  (the server ran with a heap cap of %.0f MiB)%n", r.serverMaxHeap() / 1048576.0);
        }
        out.println("load average now " + loadAverage());
    }

    private static void row(PrintStream out, String measure, String value, String target, boolean met) {
        out.printf(Locale.ROOT, "%-52s %-14s %-10s %s%n", measure, value, target, met ? "yes" : "NO");
    }

    /** The first of the clients in client JVM {@code j} of {@code jvms}: the larger shares go first. */
    static int firstClient(int j, int jvms, int clients) {
        return j * (clients / jvms) + Math.min(j, clients % jvms);
    }

    /**
     * The training slots of each CNN client JVM: its share of the cores (at least one). With one client per JVM
     * a slot changes nothing; with several, a JVM's clients train one share of the cores at a time, as the local
     * runtime's workers do.
     */
    static int trainingSlots(Options o) {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / o.clientJvms());
    }

    /** The FedAvg process both sides run. */
    static LearningProcess cnnProcess(long seed) {
        return FedAvg.builder(Models.fedAvgCnn(10))
                .setClientOptimizer(Sgd.of(0.02f))
                .optSeed(seed)
                .build();
    }

    /** Client {@code k}'s synthetic images ({@code x=float32[28,28,1]} uniform in [0,1), {@code y} uniform). */
    static Examples cnnExamples(int n, long seed, int k) {
        SplitMix64 r = new SplitMix64(Seeds.derive(seed, Seeds.purpose("bench/deploy/cnn"), k));
        float[] x = new float[Math.multiplyExact(n, 28 * 28)];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
        }
        return Examples.of(x, new int[] {28, 28, 1}, y);
    }

    /** Starts {@code DeployBenchProcess mode args...} in a JVM with this one's class path and {@code jvmOptions}. */
    private static Process child(Path log, List<String> jvmOptions, String heap, String mode, String... args)
            throws IOException {
        ProcessBuilder pb = command(jvmOptions, heap, mode, args).redirectErrorStream(log != null);
        if (log != null) {
            pb.redirectOutput(log.toFile());
        } else {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        return pb.start();
    }

    /** A client JVM's launcher options: {@link #CLIENT_COLLECTOR} first unless {@code options} name a collector. */
    static List<String> clientJvmOptions(List<String> options) {
        if (options.stream().anyMatch(option -> COLLECTOR_OPTION.matcher(option).matches())) {
            return options;
        }
        List<String> all = new ArrayList<>(List.of(CLIENT_COLLECTOR));
        all.addAll(options);
        return all;
    }

    /** {@code DeployBenchProcess mode args...} in a JVM with this one's class path and {@code jvmOptions}. */
    private static ProcessBuilder command(List<String> jvmOptions, String heap, String mode, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add(heap);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DeployBenchProcess.class.getName());
        cmd.add(mode);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
        return pb;
    }

    /** The per-round metrics a {@code cnn-server} child wrote ({@code ROUND NAME VALUE} a line). */
    private static List<Map<String, Double>> history(Path file) throws IOException {
        List<Map<String, Double>> rounds = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(" ");
            int i = Integer.parseInt(f[0]);
            while (rounds.size() <= i) {
                rounds.add(new HashMap<>());
            }
            rounds.get(i).put(f[1], Double.parseDouble(f[2]));
        }
        return rounds;
    }

    private static List<Map<String, Double>> records(List<RoundRecord> history) {
        List<Map<String, Double>> out = new ArrayList<>();
        for (RoundRecord r : history) {
            out.add(r.metrics());
        }
        return out;
    }

    /**
     * The local runtime's run, one round at a time on the bench's call: {@link #run} lets round {@code r} go and
     * returns when it has finished, the loop waiting between rounds on its own thread (in its round listener, after
     * the round's time was taken).
     */
    private static final class LocalRounds {
        private final Thread thread;
        private final Semaphore next = new Semaphore(0);
        private final BlockingQueue<Integer> finished = new LinkedBlockingQueue<>();
        private final int total;
        private volatile TrainingResult result;
        private volatile Throwable failure;

        /** {@code afterRound} sees each round's number as it finishes, before the loop waits. */
        LocalRounds(Options o, ClientData data, int total, IntConsumer afterRound) {
            this.total = total;
            TrainingLoop loop = localLoop(o, data, total, new RoundListener() {
                @Override
                public void roundFinished(int round, Map<String, Double> metrics) {
                    if (round < 1) {
                        return;
                    }
                    afterRound.accept(round);
                    finished.add(round);
                    if (round < LocalRounds.this.total) {
                        next.acquireUninterruptibly();
                    }
                }
            });
            this.thread = new Thread(
                    () -> {
                        try {
                            result = loop.run();
                        } catch (Throwable t) {
                            failure = t;
                            finished.add(-1);
                        }
                    },
                    ThreadCpu.LOCAL_ROUNDS_THREAD);
            thread.setDaemon(true);
        }

        /** Runs round {@code round} (the rounds in order from 1) and waits for it to finish. */
        void run(int round) throws InterruptedException {
            if (round == 1) {
                thread.start();
            } else {
                next.release();
            }
            int done = finished.take();
            if (done != round) {
                throw new IllegalStateException("the local runtime's run failed at round " + round, failure);
            }
        }

        TrainingResult result() throws InterruptedException {
            thread.join();
            if (failure != null || result == null) {
                throw new IllegalStateException("the local runtime's run failed", failure);
            }
            return result;
        }
    }

    /** The local runtime's FedAvg run of the bench: the same process, clients, batches, seed and workers. */
    private static TrainingLoop localLoop(Options o, ClientData data, int rounds, RoundListener listener) {
        return TrainingLoop.builder()
                .setProcess(cnnProcess(o.seed()))
                .setTrainingData(data)
                .setClientsPerRound(o.clients())
                .setRounds(rounds)
                .setPreprocessing(Preprocessing.batches(o.batch()))
                .optSeed(o.seed())
                .optWorkers(Runtime.getRuntime().availableProcessors())
                .optListener(listener)
                .build();
    }

    /** The round seconds of the last {@code rounds} rounds (index 0 of a history may be round 0's evaluation). */
    private static List<Double> timed(List<Map<String, Double>> history, int rounds) {
        List<Double> s = new ArrayList<>();
        for (Map<String, Double> m : history.subList(history.size() - rounds, history.size())) {
            s.add(m.get(TrainingLoop.ROUND_SECONDS));
        }
        return s;
    }

    private static double delta(Map<String, Double> first, Map<String, Double> last, String metric) {
        return last.get(metric) - first.get(metric);
    }

    private static String bytes(ModelWeights w) {
        return java.util.HexFormat.of().formatHex(dev.fl4j.core.io.ValueCodec.encode(w.asStruct()));
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String format(List<Double> seconds) {
        StringBuilder b = new StringBuilder();
        for (double s : seconds) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", s));
        }
        return b.toString();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(
                    Locale.ROOT,
                    "%.2f",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The TCP payload bytes of the server's established connections, from the kernel's counters
     * ({@code ss -tin}, {@code bytes_sent} and {@code bytes_received} per connection), between two
     * snapshots: a connection seen in both counts its growth, one opened in between all of it.
     */
    static final class TcpCounter {
        private static final Pattern CONN = Pattern.compile("(\\S+:\\d+)\\s+(\\S+:\\d+)\\s*$");
        private static final Pattern SENT = Pattern.compile("bytes_sent:(\\d+)");
        private static final Pattern RECEIVED = Pattern.compile("bytes_received:(\\d+)");
        private static final Pattern RETRANSMITTED = Pattern.compile("bytes_retrans:(\\d+)");

        volatile int port;
        private Map<String, long[]> start;
        private Map<String, long[]> end;
        private boolean failed;

        synchronized void snapshot(boolean isStart) {
            Optional<Map<String, long[]>> s = read(port);
            if (s.isEmpty()) {
                failed = true;
                return;
            }
            if (isStart) {
                start = s.get();
            } else {
                end = s.get();
            }
        }

        /** Bytes sent (retransmissions included, as the kernel counts them) plus received between the snapshots. */
        synchronized Optional<Long> delta() {
            return delta(SENT_AND_RECEIVED);
        }

        /** Of {@link #delta()}, the bytes sent again (TCP retransmissions), not the protocol's doing. */
        synchronized Optional<Long> retransmitted() {
            return delta(RETRANS);
        }

        private static final int SENT_AND_RECEIVED = 0;
        private static final int RETRANS = 1;

        private Optional<Long> delta(int field) {
            if (failed || start == null || end == null) {
                return Optional.empty();
            }
            long sum = 0;
            for (Map.Entry<String, long[]> e : end.entrySet()) {
                long[] before = start.get(e.getKey());
                sum += e.getValue()[field] - (before == null ? 0 : before[field]);
            }
            return Optional.of(sum);
        }

        /**
         * By peer, for each established connection on local port {@code port}: bytes sent plus received, and bytes
         * retransmitted (0 where the kernel does not report them).
         */
        static Optional<Map<String, long[]>> read(int port) {
            try {
                Process p = new ProcessBuilder("ss", "-tinH", "state", "established", "( sport = :" + port + " )")
                        .redirectErrorStream(true)
                        .start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    return Optional.empty();
                }
                Map<String, long[]> bytes = new HashMap<>();
                String peer = null;
                for (String line : text.split("\n")) {
                    Matcher c = CONN.matcher(line);
                    if (!line.startsWith("\t") && !line.startsWith(" ") && c.find()) {
                        peer = c.group(2);
                        continue;
                    }
                    Matcher s = SENT.matcher(line);
                    Matcher r = RECEIVED.matcher(line);
                    boolean hasSent = s.find();
                    boolean hasReceived = r.find();
                    if (peer != null && (hasSent || hasReceived)) {
                        long sent = hasSent ? Long.parseLong(s.group(1)) : 0;
                        long received = hasReceived ? Long.parseLong(r.group(1)) : 0;
                        Matcher x = RETRANSMITTED.matcher(line);
                        long retransmitted = x.find() ? Long.parseLong(x.group(1)) : 0;
                        bytes.put(peer, new long[] {sent + received, retransmitted});
                        peer = null;
                    }
                }
                return Optional.of(bytes);
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }
}
