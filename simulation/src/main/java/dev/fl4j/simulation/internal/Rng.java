package dev.fl4j.simulation.internal;

import dev.fl4j.core.Seeds;

/**
 * A small seeded generator (SplitMix64, seeded through core's {@link Seeds}) whose output is fixed by this code alone, so simulation
 * draws (shuffles, partitions, synthetic data) are bitwise the same on every JDK. Not for anything
 * that protects someone. Not thread-safe: make one per use.
 */
public final class Rng {

    private long state;
    private double spareGaussian;
    private boolean hasSpare;

    public Rng(long seed) {
        this.state = seed;
    }

    /** A generator for {@code parts} (epoch, client, purpose…) under {@code seed}, as {@link Seeds#derive}. */
    public static Rng derive(long seed, long... parts) {
        return new Rng(Seeds.derive(seed, parts));
    }

    public long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return Seeds.mix(state);
    }

    /** Uniform in {@code [0, bound)}, without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long limit = (0x1_0000_0000L / bound) * bound;
        while (true) {
            long r = nextLong() >>> 32;
            if (r < limit) {
                return (int) (r % bound);
            }
        }
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Marsaglia's polar method). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * f;
        hasSpare = true;
        return u * f;
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang, boosted for shape below one. */
    public double nextGamma(double shape) {
        if (!(shape > 0) || Double.isInfinite(shape)) {
            throw new IllegalArgumentException("gamma shape must be positive and finite, got " + shape);
        }
        if (shape < 1) {
            double u = nextDouble();
            return nextGamma(shape + 1) * Math.pow(u == 0 ? Double.MIN_NORMAL : u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /** A draw from the symmetric Dirichlet({@code alpha}, …) over {@code k} categories. */
    public double[] nextDirichlet(double alpha, int k) {
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = nextGamma(alpha);
            sum += p[i];
        }
        if (sum == 0) {
            // every gamma draw underflowed (tiny alpha): all mass on one uniformly chosen category
            p[nextInt(k)] = 1;
            return p;
        }
        for (int i = 0; i < k; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Fisher–Yates shuffle of {@code a} in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
