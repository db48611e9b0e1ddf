package dev.fl4j.simulation.partition;

import java.util.Arrays;

/**
 * What a partition looks like: number of clients and examples, and the minimum, median and
 * maximum over clients of examples per client and distinct labels per client. {@link #toString()}
 * prints it for a log.
 */
public record PartitionSummary(
        String description, int clients, long examples, Stats examplesPerClient, Stats labelsPerClient) {

    /** Minimum, median and maximum of a per-client count. */
    public record Stats(int min, double median, int max) {
        static Stats of(int[] values) {
            int[] s = values.clone();
            Arrays.sort(s);
            int n = s.length;
            double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
            return new Stats(s[0], median, s[n - 1]);
        }

        @Override
        public String toString() {
            String m = median == Math.rint(median) ? String.valueOf((long) median) : String.valueOf(median);
            return "min " + min + ", median " + m + ", max " + max;
        }
    }

    @Override
    public String toString() {
        return description + ": " + clients + " clients, " + examples + " examples\n"
                + "  examples per client: " + examplesPerClient + "\n"
                + "  labels per client:   " + labelsPerClient;
    }
}
