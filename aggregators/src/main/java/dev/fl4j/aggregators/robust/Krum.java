package dev.fl4j.aggregators.robust;

import java.util.Arrays;

/**
 * Krum and multi-Krum (Blanchard, El Mhamdi, Guerraoui, Stainer 2017, "Machine Learning with
 * Adversaries: Byzantine Tolerant Gradient Descent").
 *
 * <h2>Definition</h2>
 * With {@code f} the assumed number of faulty clients, the score of client {@code i} is the sum of
 * squared Euclidean distances from its update to its {@code n - f - 2} nearest other updates.
 * Krum returns the update with the smallest score; multi-Krum averages the {@code m} updates with
 * the smallest scores ({@code m = 1} is Krum, ties go to the lower client index). Faulty updates
 * that are far from the honest ones get large scores, and colluding faulty updates cannot vouch
 * for each other enough because each score counts {@code n - f - 2 > f - 1} neighbours.
 *
 * <h2>Tolerance and requirements</h2>
 * The guarantee needs {@code n >= 2f + 3}; {@link #aggregate} rejects smaller {@code n}.
 * Multi-Krum also needs {@code m <= n - f}: a larger {@code m} would necessarily average in at
 * least one faulty update. Weights do not influence selection (a faulty client could claim any
 * weight); multi-Krum uses them to weight the average of the selected updates, and Krum returns the
 * selected update as it is. Cost: O(n² · d) time, O(n²) extra memory.
 */
public final class Krum implements RobustAggregator {

    private final int assumedFaulty;
    private final int selected;

    /**
     * Krum assuming at most {@code assumedFaulty} faulty clients.
     *
     * @throws IllegalArgumentException if {@code assumedFaulty < 0}
     */
    public Krum(int assumedFaulty) {
        this(assumedFaulty, 1);
    }

    private Krum(int assumedFaulty, int selected) {
        if (assumedFaulty < 0) {
            throw new IllegalArgumentException(
                    "Krum's assumed number of faulty clients f must be >= 0, got " + assumedFaulty);
        }
        if (selected < 1) {
            throw new IllegalArgumentException("multi-Krum must select m >= 1 updates, got " + selected);
        }
        this.assumedFaulty = assumedFaulty;
        this.selected = selected;
    }

    /**
     * Multi-Krum: the (weighted) mean of the {@code selected} best-scored updates, assuming at most
     * {@code assumedFaulty} faulty clients.
     */
    public static Krum multiKrum(int assumedFaulty, int selected) {
        return new Krum(assumedFaulty, selected);
    }

    public int assumedFaulty() {
        return assumedFaulty;
    }

    public int selected() {
        return selected;
    }

    @Override
    public float[] aggregate(float[][] updates, double[] weights) {
        int d = ClientUpdates.check(updates, weights);
        int[] chosen = selectValid(updates, d);
        if (chosen.length == 1) {
            return updates[chosen[0]].clone();
        }
        double[] sum = new double[d];
        double totalWeight = 0;
        for (int c : chosen) {
            double w = weights == null ? 1.0 : weights[c];
            if (w == 0) {
                continue;
            }
            float[] row = updates[c];
            for (int j = 0; j < d; j++) {
                sum[j] += w * row[j];
            }
            totalWeight += w;
        }
        if (totalWeight == 0) {
            throw new IllegalArgumentException("the " + chosen.length + " updates multi-Krum selected (clients "
                    + Arrays.toString(chosen) + ") all have weight 0");
        }
        float[] result = new float[d];
        for (int j = 0; j < d; j++) {
            result[j] = (float) (sum[j] / totalWeight);
        }
        return result;
    }

    /**
     * The clients whose updates are averaged: the {@code m} lowest scores, best first.
     *
     * @throws IllegalArgumentException on invalid input or if {@code n < 2f + 3} or {@code m > n - f}
     */
    public int[] select(float[][] updates) {
        return selectValid(updates, ClientUpdates.check(updates, null));
    }

    private int[] selectValid(float[][] updates, int d) {
        double[] scores = scoresValid(updates, d);
        int n = scores.length;
        if (selected > n - assumedFaulty) {
            throw new IllegalArgumentException("multi-Krum selecting m=" + selected + " of n=" + n + " clients with f="
                    + assumedFaulty + " faulty needs m <= n - f = " + (n - assumedFaulty));
        }
        boolean[] taken = new boolean[n];
        int[] chosen = new int[selected];
        for (int s = 0; s < selected; s++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (!taken[i] && (best < 0 || scores[i] < scores[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            chosen[s] = best;
        }
        return chosen;
    }

    /**
     * Each client's Krum score: the sum of squared distances to its {@code n - f - 2} nearest other
     * updates.
     *
     * @throws IllegalArgumentException on invalid input or if {@code n < 2f + 3}
     */
    public double[] scores(float[][] updates) {
        return scoresValid(updates, ClientUpdates.check(updates, null));
    }

    private double[] scoresValid(float[][] updates, int d) {
        int n = updates.length;
        int required = 2 * assumedFaulty + 3;
        if (n < required) {
            throw new IllegalArgumentException("Krum with f=" + assumedFaulty + " faulty clients needs n >= 2f + 3 = "
                    + required + " clients, got n=" + n);
        }
        double[] distances = new double[n * n];
        for (int a = 0; a < n; a++) {
            float[] x = updates[a];
            for (int b = a + 1; b < n; b++) {
                float[] y = updates[b];
                double s = 0;
                for (int j = 0; j < d; j++) {
                    double diff = (double) x[j] - y[j];
                    s += diff * diff;
                }
                distances[a * n + b] = s;
                distances[b * n + a] = s;
            }
        }
        int neighbours = n - assumedFaulty - 2;
        double[] scores = new double[n];
        double[] others = new double[n - 1];
        for (int a = 0; a < n; a++) {
            int k = 0;
            for (int b = 0; b < n; b++) {
                if (b != a) {
                    others[k++] = distances[a * n + b];
                }
            }
            Arrays.sort(others);
            double s = 0;
            for (int t = 0; t < neighbours; t++) {
                s += others[t];
            }
            scores[a] = s;
        }
        return scores;
    }

    /** {@code f} if {@code n >= 2f + 3} (and {@code m <= n - f}), else -1. */
    @Override
    public int maxFaultyClients(int clientCount) {
        boolean runnable = clientCount >= 2 * assumedFaulty + 3 && selected <= clientCount - assumedFaulty;
        return runnable ? assumedFaulty : -1;
    }

    @Override
    public String toString() {
        return selected == 1
                ? "Krum (f=" + assumedFaulty + ")"
                : "multi-Krum (f=" + assumedFaulty + ", m=" + selected + ")";
    }
}
