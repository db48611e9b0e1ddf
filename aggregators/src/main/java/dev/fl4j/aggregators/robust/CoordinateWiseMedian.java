package dev.fl4j.aggregators.robust;

import java.util.Arrays;

/**
 * The coordinate-wise median: coordinate {@code j} of the result is the median of the clients'
 * coordinate {@code j} (Yin, Chen, Ramchandran, Bartlett 2018, "Byzantine-Robust Distributed
 * Learning: Towards Optimal Statistical Rates").
 *
 * <h2>Tolerance</h2>
 * With fewer than half of the clients faulty ({@code f < n/2}, i.e. {@code f <= ⌊(n-1)/2⌋}), each
 * coordinate of the result lies between the smallest and largest honest value of that coordinate,
 * however far away the faulty values are.
 *
 * <h2>Definition</h2>
 * Unweighted: the middle value for odd {@code n}, the mean of the two middle values for even
 * {@code n}. Weighted: with {@code W} the total weight and values sorted ascending, the lower
 * median is the first value whose cumulative weight reaches {@code W/2}, the upper median the
 * first whose cumulative weight exceeds {@code W/2}; the result is their mean (this reduces to the
 * unweighted definition for equal weights). Faulty clients must then hold less than half the
 * weight. Cost: O(d · n log n).
 */
public final class CoordinateWiseMedian implements RobustAggregator {

    @Override
    public float[] aggregate(float[][] updates, double[] weights) {
        int d = ClientUpdates.check(updates, weights);
        int n = updates.length;
        float[] result = new float[d];
        double[] column = new double[n];
        double[] columnWeights = weights == null ? null : new double[n];
        double halfWeight = 0;
        if (weights != null) {
            for (double w : weights) {
                halfWeight += w;
            }
            halfWeight /= 2;
        }
        for (int j = 0; j < d; j++) {
            for (int i = 0; i < n; i++) {
                column[i] = updates[i][j];
            }
            if (weights == null) {
                Arrays.sort(column);
                result[j] = (float) ((n & 1) == 1 ? column[n / 2] : 0.5 * (column[n / 2 - 1] + column[n / 2]));
            } else {
                System.arraycopy(weights, 0, columnWeights, 0, n);
                ClientUpdates.sortTogether(column, columnWeights, n);
                result[j] = (float) weightedMedian(column, columnWeights, n, halfWeight);
            }
        }
        return result;
    }

    private static double weightedMedian(double[] sorted, double[] weights, int n, double halfWeight) {
        double cumulative = 0;
        double lower = Double.NaN;
        for (int i = 0; i < n; i++) {
            cumulative += weights[i];
            if (Double.isNaN(lower) && cumulative >= halfWeight) {
                lower = sorted[i];
            }
            if (cumulative > halfWeight) {
                return 0.5 * (lower + sorted[i]);
            }
        }
        return lower; // only reachable through rounding in the cumulative sum
    }

    /** {@code ⌊(n-1)/2⌋}: fewer than half. */
    @Override
    public int maxFaultyClients(int clientCount) {
        return clientCount < 1 ? -1 : (clientCount - 1) / 2;
    }

    @Override
    public String toString() {
        return "coordinate-wise median";
    }
}
