package dev.fl4j.aggregators.robust;

/** Validation and small sorting helpers shared by the robust kernels. */
final class ClientUpdates {

    private ClientUpdates() {}

    /**
     * Checks an {@code n × d} update matrix and optional weights; returns {@code d}.
     */
    static int check(float[][] updates, double[] weights) {
        if (updates == null) {
            throw new IllegalArgumentException("client updates must not be null");
        }
        int n = updates.length;
        if (n == 0) {
            throw new IllegalArgumentException("no client updates to aggregate (n=0)");
        }
        if (updates[0] == null) {
            throw new IllegalArgumentException("update of client 0 is null");
        }
        int d = updates[0].length;
        for (int i = 0; i < n; i++) {
            float[] row = updates[i];
            if (row == null) {
                throw new IllegalArgumentException("update of client " + i + " is null");
            }
            if (row.length != d) {
                throw new IllegalArgumentException("update of client " + i + " has " + row.length
                        + " coordinates, expected " + d + " (as client 0)");
            }
            for (int j = 0; j < d; j++) {
                float v = row[j];
                if (v - v != 0) { // NaN or ±Inf
                    throw new IllegalArgumentException("update of client " + i + " has " + v + " at coordinate " + j
                            + "; robust aggregation needs finite values (zero non-finite updates and weight them 0"
                            + " first)");
                }
            }
        }
        if (weights != null) {
            if (weights.length != n) {
                throw new IllegalArgumentException(
                        "expected one weight per client update (" + n + "), got " + weights.length);
            }
            double total = 0;
            for (int i = 0; i < n; i++) {
                double w = weights[i];
                if (!(w >= 0 && w < Double.POSITIVE_INFINITY)) {
                    throw new IllegalArgumentException("weight of client " + i + " must be finite and >= 0, got " + w);
                }
                total += w;
            }
            if (total == 0) {
                throw new IllegalArgumentException("client weights are all zero");
            }
        }
        return d;
    }

    /** Sorts {@code keys[0..n)} ascending, permuting {@code values} alongside (heapsort, in place). */
    static void sortTogether(double[] keys, double[] values, int n) {
        if (n <= 16) {
            for (int i = 1; i < n; i++) {
                double k = keys[i];
                double v = values[i];
                int j = i - 1;
                while (j >= 0 && keys[j] > k) {
                    keys[j + 1] = keys[j];
                    values[j + 1] = values[j];
                    j--;
                }
                keys[j + 1] = k;
                values[j + 1] = v;
            }
            return;
        }
        for (int start = n / 2 - 1; start >= 0; start--) {
            siftDown(keys, values, start, n);
        }
        for (int end = n - 1; end > 0; end--) {
            swap(keys, values, 0, end);
            siftDown(keys, values, 0, end);
        }
    }

    private static void siftDown(double[] keys, double[] values, int root, int size) {
        while (true) {
            int child = 2 * root + 1;
            if (child >= size) {
                return;
            }
            if (child + 1 < size && keys[child + 1] > keys[child]) {
                child++;
            }
            if (keys[root] >= keys[child]) {
                return;
            }
            swap(keys, values, root, child);
            root = child;
        }
    }

    private static void swap(double[] keys, double[] values, int a, int b) {
        double k = keys[a];
        keys[a] = keys[b];
        keys[b] = k;
        double v = values[a];
        values[a] = values[b];
        values[b] = v;
    }
}
