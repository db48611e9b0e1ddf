package dev.fl4j.simulation.partition;

import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Splits a centralised labelled dataset over simulated clients. A partitioner sees only the labels
 * (one per example row) and returns which rows each client owns; {@link Partition#toClientData}
 * then makes the clients' datasets. Every partitioner is deterministic for its seed and refuses to
 * leave a client empty. (The command line's {@code --partition} text is read into these in the CLI.)
 *
 * <ul>
 *   <li>{@link #iid()}: rows shuffled and dealt out in near-equal parts.</li>
 *   <li>{@link #dirichlet(double)}: label skew (Hsu et al. 2019): for each class, the shares of
 *       the clients are drawn from Dirichlet(α); small α gives each client few classes.</li>
 *   <li>{@link #shards(int)}: McMahan et al. 2017's pathological non-IID split: rows sorted by
 *       label, cut into {@code clients × k} equal shards, {@code k} random shards per client.</li>
 *   <li>{@link #quantitySkew(double)}: IID labels but client sizes proportional to a
 *       Dirichlet(α) draw.</li>
 * </ul>
 */
public interface Partitioner {

    /** Assigns the rows whose labels are {@code labels} to {@code clients} clients. */
    Partition partition(int[] labels, int clients, long seed);

    /** IID split. */
    static Partitioner iid() {
        return Partitioners::iid;
    }

    /** Dirichlet(α) label skew. */
    static Partitioner dirichlet(double alpha) {
        Partitioners.checkAlpha(alpha);
        return (labels, clients, seed) -> Partitioners.dirichlet(labels, clients, alpha, seed);
    }

    /** McMahan's shards: {@code shardsPerClient} label-sorted shards per client. */
    static Partitioner shards(int shardsPerClient) {
        if (shardsPerClient <= 0) {
            throw new IllegalArgumentException("shards per client must be positive, got " + shardsPerClient);
        }
        return (labels, clients, seed) -> Partitioners.shards(labels, clients, shardsPerClient, seed);
    }

    /** Quantity skew with Dirichlet(α) client sizes. */
    static Partitioner quantitySkew(double alpha) {
        Partitioners.checkAlpha(alpha);
        return (labels, clients, seed) -> Partitioners.quantitySkew(labels, clients, alpha, seed);
    }
}

/** The partitioning algorithms behind {@link Partitioner}. */
final class Partitioners {

    private Partitioners() {}

    static void checkAlpha(double alpha) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("Dirichlet concentration α must be positive and finite, got " + alpha);
        }
    }

    private static void checkClients(int[] labels, int clients) {
        if (clients <= 0) {
            throw new IllegalArgumentException("number of clients must be positive, got " + clients);
        }
        if (labels.length < clients) {
            throw new IllegalArgumentException(labels.length + " examples cannot be split over " + clients
                    + " clients without leaving some empty");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("label of row " + i + " is negative (" + labels[i] + ")");
            }
        }
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> i);
        return a;
    }

    static Partition iid(int[] labels, int clients, long seed) {
        checkClients(labels, clients);
        int[] order = identity(labels.length);
        new SplitMix64(Seeds.derive(seed, Seeds.purpose("partition/iid"))).shuffle(order);
        int[][] rows = new int[clients][];
        int n = labels.length;
        for (int c = 0; c < clients; c++) {
            int from = (int) ((long) n * c / clients);
            int to = (int) ((long) n * (c + 1) / clients);
            rows[c] = sorted(Arrays.copyOfRange(order, from, to));
        }
        return new Partition("IID split, seed " + seed, rows);
    }

    static Partition dirichlet(int[] labels, int clients, double alpha, long seed) {
        checkClients(labels, clients);
        int classes = Arrays.stream(labels).max().orElse(0) + 1;
        SplitMix64 rng = new SplitMix64(Seeds.derive(seed, Seeds.purpose("partition/dirichlet")));
        List<List<int[]>> parts = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            parts.add(new ArrayList<>());
        }
        for (int k = 0; k < classes; k++) {
            int[] members = rowsWithLabel(labels, k);
            if (members.length == 0) {
                continue;
            }
            rng.shuffle(members);
            double[] p = rng.nextDirichlet(alpha, clients);
            double cumulative = 0;
            int from = 0;
            for (int c = 0; c < clients; c++) {
                cumulative += p[c];
                int to = c == clients - 1
                        ? members.length
                        : (int) Math.min(members.length, Math.round(cumulative * members.length));
                if (to > from) {
                    parts.get(c).add(Arrays.copyOfRange(members, from, to));
                    from = to;
                }
            }
        }
        return new Partition(
                String.format(Locale.ROOT, "Dirichlet(α=%s) label skew, seed %d", alpha, seed), concat(parts));
    }

    static Partition shards(int[] labels, int clients, int perClient, long seed) {
        checkClients(labels, clients);
        long shardCount = (long) clients * perClient;
        if (shardCount > labels.length) {
            throw new IllegalArgumentException(clients + " clients × " + perClient + " shards = " + shardCount
                    + " shards, more than the " + labels.length + " examples");
        }
        int[] byLabel = sortedByLabel(labels);
        int shards = (int) shardCount;
        int[] shardOrder = identity(shards);
        new SplitMix64(Seeds.derive(seed, Seeds.purpose("partition/shards"))).shuffle(shardOrder);
        int[][] rows = new int[clients][];
        int n = labels.length;
        for (int c = 0; c < clients; c++) {
            List<int[]> mine = new ArrayList<>();
            for (int j = 0; j < perClient; j++) {
                int s = shardOrder[c * perClient + j];
                int from = (int) ((long) n * s / shards);
                int to = (int) ((long) n * (s + 1) / shards);
                mine.add(Arrays.copyOfRange(byLabel, from, to));
            }
            rows[c] = sorted(flatten(mine));
        }
        return new Partition("shards (" + perClient + " label-sorted shards per client), seed " + seed, rows);
    }

    static Partition quantitySkew(int[] labels, int clients, double alpha, long seed) {
        checkClients(labels, clients);
        SplitMix64 rng = new SplitMix64(Seeds.derive(seed, Seeds.purpose("partition/quantity")));
        int[] order = identity(labels.length);
        rng.shuffle(order);
        double[] p = rng.nextDirichlet(alpha, clients);
        int[][] rows = new int[clients][];
        double cumulative = 0;
        int from = 0;
        for (int c = 0; c < clients; c++) {
            cumulative += p[c];
            int to = c == clients - 1
                    ? order.length
                    : (int) Math.min(order.length, Math.round(cumulative * order.length));
            to = Math.max(to, from);
            rows[c] = sorted(Arrays.copyOfRange(order, from, to));
            from = to;
        }
        return new Partition(
                String.format(Locale.ROOT, "quantity skew (Dirichlet(α=%s) sizes), seed %d", alpha, seed), rows);
    }

    /** Row numbers ordered by label, ties by row number (a stable counting sort). */
    private static int[] sortedByLabel(int[] labels) {
        int classes = Arrays.stream(labels).max().orElse(0) + 1;
        int[] start = new int[classes + 1];
        for (int l : labels) {
            start[l + 1]++;
        }
        for (int k = 0; k < classes; k++) {
            start[k + 1] += start[k];
        }
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[start[labels[i]]++] = i;
        }
        return out;
    }

    private static int[] rowsWithLabel(int[] labels, int k) {
        int count = 0;
        for (int l : labels) {
            if (l == k) {
                count++;
            }
        }
        int[] out = new int[count];
        int j = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == k) {
                out[j++] = i;
            }
        }
        return out;
    }

    private static int[][] concat(List<List<int[]>> parts) {
        int[][] rows = new int[parts.size()][];
        for (int c = 0; c < rows.length; c++) {
            rows[c] = sorted(flatten(parts.get(c)));
        }
        return rows;
    }

    private static int[] flatten(List<int[]> pieces) {
        int n = pieces.stream().mapToInt(a -> a.length).sum();
        int[] out = new int[n];
        int at = 0;
        for (int[] a : pieces) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }

    private static int[] sorted(int[] a) {
        Arrays.sort(a);
        return a;
    }
}
