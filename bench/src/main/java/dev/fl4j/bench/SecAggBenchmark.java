package dev.fl4j.bench;

import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.secagg.DropoutPlan;
import dev.fl4j.secagg.SecAggException;
import dev.fl4j.secagg.SecAggPlus;
import dev.fl4j.secagg.SecAggPlusClient;
import dev.fl4j.secagg.SecAggPlusParameters;
import dev.fl4j.secagg.SecAggPlusServer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of one SecAgg+ round against the plain modular sum of the same vectors: one server and
 * {@code n} clients in this JVM exchanging the protocol's bytes by method call, one thread, timed per
 * role. Per-client compute is the mean time a client spends in its four handlers (key generation,
 * sharing and encryption, masking: {@code num_shares} AES-CTR expansions of the vector, unmasking
 * shares); server compute is the time in the server's handlers, of which unmasking (rebuilding secrets
 * and removing masks) is reported apart. Bytes per client are what a client that stayed to the end sent
 * (up) and received (down); the expansion divides the upload by the same vector sent without the
 * protocol, {@code ⌈length·bitwidth/8⌉} bytes. Dropouts are clients that stop answering at a chosen stage
 * ({@link Options#dropoutStage}); by default they share keys and then send no masked input, the case that
 * makes the server remove pairwise masks. Inputs come from a seeded
 * generator (bench data, not protecting anyone); the protocol's own randomness is {@code SecureRandom}.
 * A round the protocol aborts (too many of some client's share holders dropped for
 * {@code reconstruction_threshold}) is printed as such: that is the protocol's answer for that setting.
 *
 * <p>Command line: {@code fl4j bench secagg [--clients LIST] [--length N] [--bitwidth B]
 * [--num-shares K|F] [--threshold T|F] [--dropouts LIST] [--dropout-stage STAGE]}. A measurement, not a test.
 */
public final class SecAggBenchmark {

    /**
     * What to measure.
     *
     * @param clients client counts, one row block each
     * @param length elements per vector
     * @param bitwidth the modulus is {@code 2^bitwidth} (32: what the secure aggregator uses for float values)
     * @param numShares {@code num_shares}, capped at the clients; 0 when {@code numSharesFraction} is set
     * @param numSharesFraction {@code num_shares} as Flower's fraction of the clients, 0 for a count
     * @param threshold {@code reconstruction_threshold}, 0 for a fraction or a majority of num_shares
     * @param thresholdFraction {@code reconstruction_threshold} as Flower's fraction of num_shares, 0 for none
     * @param dropouts fractions of clients that drop at {@code dropoutStage}
     * @param dropoutStage the stage at which the dropping clients stop answering
     */
    public record Options(
            List<Integer> clients,
            int length,
            int bitwidth,
            int numShares,
            double numSharesFraction,
            int threshold,
            double thresholdFraction,
            List<Double> dropouts,
            SecAggPlusServer.Stage dropoutStage) {
        public Options {
            clients = List.copyOf(clients);
            dropouts = List.copyOf(dropouts);
            if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1)) {
                throw new IllegalArgumentException("--clients needs positive counts, got " + clients);
            }
            if (length < 1) {
                throw new IllegalArgumentException("--length must be at least 1, got " + length);
            }
            if (dropouts.isEmpty() || dropouts.stream().anyMatch(d -> !(d >= 0 && d < 1))) {
                throw new IllegalArgumentException("--dropouts needs fractions in [0, 1), got " + dropouts);
            }
            DropoutPlan.fraction(0, dropoutStage, 0); // refuses a stage that is not one of the four
            SecAggPlus p = protocol(numShares, numSharesFraction, threshold, thresholdFraction);
            for (int n : clients) {
                p.parametersFor(n, length, bitwidth);
            }
        }

        public static Options defaults() {
            return new Options(
                    List.of(100),
                    100_000,
                    32,
                    11,
                    0,
                    0,
                    0,
                    List.of(0.0, 0.1, 0.3),
                    SecAggPlusServer.Stage.MASKED_INPUT);
        }

        SecAggPlus protocol() {
            return protocol(numShares, numSharesFraction, threshold, thresholdFraction);
        }

        private static SecAggPlus protocol(int numShares, double sharesFraction, int threshold, double fraction) {
            SecAggPlus.Builder b = SecAggPlus.builder();
            if (sharesFraction > 0) {
                b.setNumSharesFraction(sharesFraction);
            } else {
                b.setNumShares(numShares);
            }
            if (fraction > 0) {
                b.optReconstructionThresholdFraction(fraction);
            } else if (threshold > 0) {
                b.optReconstructionThreshold(threshold);
            }
            return b.build();
        }

        String describeShares() {
            String shares = numSharesFraction > 0
                    ? numSharesFraction + " of the clients"
                    : numShares + " (capped at the clients)";
            String t = thresholdFraction > 0
                    ? thresholdFraction + " of num_shares"
                    : threshold > 0 ? String.valueOf(threshold) : "a majority";
            return "num_shares " + shares + ", reconstruction_threshold " + t;
        }
    }

    /** One measured round. */
    public record Row(
            int clients,
            int numShares,
            int threshold,
            double dropout,
            int counted,
            double clientMillis,
            double serverMillis,
            double unmaskMillis,
            double bytesUp,
            double bytesDown,
            long plainBytes,
            double plainMillis) {

        double expansion() {
            return bytesUp / plainBytes;
        }
    }

    private static final SecAggPlusServer.Stage[] STAGES = {
        SecAggPlusServer.Stage.ADVERTISE_KEYS,
        SecAggPlusServer.Stage.SHARE_KEYS,
        SecAggPlusServer.Stage.MASKED_INPUT,
        SecAggPlusServer.Stage.UNMASKING
    };

    private SecAggBenchmark() {}

    /** The stage as the command line names it: {@code masked-input}. */
    public static String stageName(SecAggPlusServer.Stage stage) {
        return stage.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static void run(PrintStream out, Options o) {
        out.printf(
                Locale.ROOT,
                "secagg+ bench: vectors of %,d elements at %d bits, %s; dropouts stop answering at %s%n",
                o.length(),
                o.bitwidth(),
                o.describeShares(),
                stageName(o.dropoutStage()));
        // one untimed round first, so the rows measure compiled code (the JIT), not its warm-up
        measure(o, Math.min(o.clients().get(0), 20), 0);
        out.println("clients  shares  thr  dropout  counted  client ms  server ms  (unmask ms)  up B/client  "
                + "down B/client  plain B/client  expansion  plain sum ms  round/plain time");
        for (int n : o.clients()) {
            for (double d : o.dropouts()) {
                Row r;
                try {
                    r = measure(o, n, d);
                } catch (SecAggException e) {
                    SecAggPlusParameters p = o.protocol().parametersFor(n, o.length(), o.bitwidth());
                    out.printf(
                            Locale.ROOT,
                            "%7d  %6d  %3d  %6.0f%%  round aborted: %s%n",
                            n,
                            p.numShares(),
                            p.reconstructionThreshold(),
                            100 * d,
                            e.getMessage());
                    out.flush();
                    continue;
                }
                double round = r.clientMillis() * r.clients() + r.serverMillis();
                out.printf(
                        Locale.ROOT,
                        "%7d  %6d  %3d  %6.0f%%  %7d  %9.1f  %9.1f  %11.1f  %11.0f  %13.0f  %14d  %8.4fx  "
                                + "%12.1f  %15.0fx%n",
                        r.clients(),
                        r.numShares(),
                        r.threshold(),
                        100 * r.dropout(),
                        r.counted(),
                        r.clientMillis(),
                        r.serverMillis(),
                        r.unmaskMillis(),
                        r.bytesUp(),
                        r.bytesDown(),
                        r.plainBytes(),
                        r.expansion(),
                        r.plainMillis(),
                        round / r.plainMillis());
                out.flush();
            }
        }
        out.println("round/plain time: all clients' compute plus the server's, over the plain modular sum of the same"
                + " vectors in one thread; expansion: bytes a client uploads over the bare b-bit vector");
    }

    /** One round of {@code n} clients with {@code dropout} of them leaving at the options' dropout stage. */
    public static Row measure(Options o, int n, double dropout) {
        SecAggPlusParameters p = o.protocol().parametersFor(n, o.length(), o.bitwidth());
        DropoutPlan plan = DropoutPlan.fraction(dropout, o.dropoutStage(), 42);
        long mask = p.modulus() - 1;

        long t = System.nanoTime();
        SecAggPlusServer server = new SecAggPlusServer(p);
        Map<Integer, byte[]> toClients = server.start();
        long serverNanos = System.nanoTime() - t;
        long clientNanos = 0;
        long[] up = new long[n + 1];
        long[] down = new long[n + 1];
        SecAggPlusClient[] clients = new SecAggPlusClient[n + 1];
        for (int id = 1; id <= n; id++) {
            clients[id] = new SecAggPlusClient();
        }
        boolean[] dropped = new boolean[n + 1];
        long unmaskNanos = 0;
        for (int stage = 0; stage < 4; stage++) {
            for (Map.Entry<Integer, byte[]> e : toClients.entrySet()) {
                int id = e.getKey();
                down[id] += e.getValue().length;
                dropped[id] |= plan.drops(STAGES[stage], id - 1, n);
                if (dropped[id]) {
                    continue;
                }
                long[] input = stage == 2 ? input(id, o.length(), mask) : null;
                t = System.nanoTime();
                SecAggPlusClient c = clients[id];
                byte[] answer = switch (stage) {
                    case 0 -> c.onSetup(e.getValue());
                    case 1 -> c.onNeighbourKeys(e.getValue());
                    case 2 -> c.onForwardedShares(e.getValue(), input);
                    default -> c.onUnmaskRequest(e.getValue());
                };
                long t1 = System.nanoTime();
                server.receive(answer);
                long t2 = System.nanoTime();
                clientNanos += t1 - t;
                serverNanos += t2 - t1;
                up[id] += answer.length;
            }
            t = System.nanoTime();
            toClients = server.advance();
            long advance = System.nanoTime() - t;
            serverNanos += advance;
            if (stage == 3) {
                unmaskNanos = advance;
            }
        }
        long[] sum = server.sum();

        // the plain modular sum of the counted clients' vectors, in one accumulator: the fastest of three
        // passes (inputs are regenerated untimed), so one slow pass on a busy machine does not set the ratio
        long plainNanos = Long.MAX_VALUE;
        for (int pass = 0; pass < 3; pass++) {
            long passNanos = 0;
            long[] plain = new long[o.length()];
            for (int id : server.contributors()) {
                long[] x = input(id, o.length(), mask);
                t = System.nanoTime();
                for (int j = 0; j < plain.length; j++) {
                    plain[j] = (plain[j] + x[j]) & mask;
                }
                passNanos += System.nanoTime() - t;
            }
            if (!Arrays.equals(plain, sum)) {
                throw new IllegalStateException("secagg+ sum differs from the plain modular sum");
            }
            plainNanos = Math.min(plainNanos, passNanos);
        }
        int counted = server.contributors().size();
        double upPerClient = 0;
        double downPerClient = 0;
        for (int id : server.contributors()) {
            upPerClient += up[id];
            downPerClient += down[id];
        }
        return new Row(
                n,
                p.numShares(),
                p.reconstructionThreshold(),
                dropout,
                counted,
                clientNanos / 1e6 / n,
                serverNanos / 1e6,
                unmaskNanos / 1e6,
                upPerClient / counted,
                downPerClient / counted,
                (long) Math.ceil((double) o.length() * o.bitwidth() / 8),
                plainNanos / 1e6);
    }

    private static long[] input(int id, int length, long mask) {
        SplitMix64 r = new SplitMix64(0x5EC_A66L + id);
        long[] x = new long[length];
        for (int j = 0; j < length; j++) {
            x[j] = r.nextLong() & mask;
        }
        return x;
    }
}
