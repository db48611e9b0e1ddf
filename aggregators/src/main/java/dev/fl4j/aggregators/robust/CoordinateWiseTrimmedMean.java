package dev.fl4j.aggregators.robust;

import java.util.Arrays;

/**
 * The coordinate-wise trimmed mean: for each coordinate, drop the largest and smallest values and
 * average the rest (Yin, Chen, Ramchandran, Bartlett 2018).
 *
 * <h2>Definition</h2>
 * With trim fraction {@code β ∈ [0, 1/2)}:
 * <ul>
 *   <li>Unweighted: {@code k = ⌊β·n⌋} values are dropped from each end (with a 1e-9 allowance so
 *       that e.g. β = 0.3, n = 10 drops 3), and the remaining {@code n - 2k >= 1} are averaged.</li>
 *   <li>Weighted: weight mass {@code β·W} is trimmed from each end — a value straddling the cut
 *       keeps only the part of its weight inside — and the weighted mean of what remains is taken.
 *       For equal weights and integer {@code β·n} this equals the unweighted result; otherwise the
 *       weighted form trims fractionally where the unweighted one rounds down.</li>
 * </ul>
 *
 * <h2>Tolerance</h2>
 * Up to {@code ⌊β·n⌋} faulty clients (weight mass {@code β·W} when weighted): every faulty value
 * that is not trimmed lies between honest values, so each coordinate stays within the range of
 * the honest values. Cost: O(d · n log n).
 */
public final class CoordinateWiseTrimmedMean implements RobustAggregator {

    private final double beta;

    /**
     * @param beta fraction trimmed from each end, in [0, 1/2)
     * @throws IllegalArgumentException if {@code beta} is outside [0, 1/2): at 1/2 nothing would be
     *     left to average
     */
    public CoordinateWiseTrimmedMean(double beta) {
        if (!(beta >= 0 && beta < 0.5)) {
            throw new IllegalArgumentException(
                    "trimmed mean fraction β must be in [0, 0.5) (trimmed from each end)," + " got " + beta);
        }
        this.beta = beta;
    }

    public double beta() {
        return beta;
    }

    @Override
    public float[] aggregate(float[][] updates, double[] weights) {
        int d = ClientUpdates.check(updates, weights);
        int n = updates.length;
        float[] result = new float[d];
        double[] column = new double[n];
        if (weights == null) {
            int k = trimmedPerSide(n);
            int kept = n - 2 * k;
            for (int j = 0; j < d; j++) {
                for (int i = 0; i < n; i++) {
                    column[i] = updates[i][j];
                }
                Arrays.sort(column);
                double sum = 0;
                for (int i = k; i < n - k; i++) {
                    sum += column[i];
                }
                result[j] = (float) (sum / kept);
            }
            return result;
        }
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double cutLow = beta * total;
        double cutHigh = total - cutLow;
        double[] columnWeights = new double[n];
        for (int j = 0; j < d; j++) {
            for (int i = 0; i < n; i++) {
                column[i] = updates[i][j];
            }
            System.arraycopy(weights, 0, columnWeights, 0, n);
            ClientUpdates.sortTogether(column, columnWeights, n);
            double cumulative = 0;
            double sum = 0;
            double keptWeight = 0;
            for (int i = 0; i < n; i++) {
                double start = cumulative;
                cumulative += columnWeights[i];
                double inside = Math.min(cumulative, cutHigh) - Math.max(start, cutLow);
                if (inside > 0) {
                    sum += inside * column[i];
                    keptWeight += inside;
                }
            }
            result[j] = (float) (sum / keptWeight);
        }
        return result;
    }

    /** {@code ⌊β·n⌋} with a 1e-9 allowance for rounding in {@code β·n}. */
    int trimmedPerSide(int n) {
        return (int) Math.floor(beta * n + 1e-9);
    }

    /** {@code ⌊β·n⌋}. */
    @Override
    public int maxFaultyClients(int clientCount) {
        return clientCount < 1 ? -1 : trimmedPerSide(clientCount);
    }

    @Override
    public String toString() {
        return "coordinate-wise trimmed mean (β=" + beta + ")";
    }
}
