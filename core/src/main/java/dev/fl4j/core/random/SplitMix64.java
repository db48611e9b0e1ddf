package dev.fl4j.core.random;

/**
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA
 * 2014): a 64-bit state advanced by a fixed odd increment and passed through a mixing finaliser.
 * Its output is fixed by this code alone, so every draw is bitwise the same on every JVM; the
 * stream for a seed is the published one ({@code splitmix64.c}: seed 0 gives
 * {@code 0xE220A8397B1DCDAF} first).
 *
 * <p>Seed it from {@link Seeds#derive} with the run seed and the draw's place, one generator per
 * place. Not thread-safe. Not cryptographic: never use it for randomness that protects someone
 * (see the {@linkplain dev.fl4j.core.random package} documentation).
 *
 * <p>Two samplers exist in two variants because results are pinned to each: Gaussians by the polar
 * method ({@link #nextGaussianPolar}, simulation's synthetic data and Dirichlet partitions) and by
 * Box-Muller ({@link #nextGaussianBoxMuller}, weight initialisation); bounded ints without bias by
 * {@link #nextInt} (shuffles and partitions) and as {@code java.util.SplittableRandom} draws them
 * ({@link #nextIntAsSplittableRandom}, client sampling). {@link #nextLong} and {@link #nextDouble}
 * give the same values as a {@code SplittableRandom} of the same seed.
 */
public final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;
    private double spareGaussian;
    private boolean hasSpareGaussian;

    /** A generator whose first {@link #nextLong} is {@code mix(seed + 0x9E3779B97F4A7C15)}. */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** SplitMix64's finaliser: a bijective 64-bit mixer with full avalanche (Stafford's variant 13). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The next 64 uniformly distributed bits. */
    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1) with 24 random bits (the top bits of one {@link #nextLong}). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits (the top bits of one {@link #nextLong}). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Uniform in {@code [0, bound)} without modulo bias: the top 32 bits of a draw, rejected above
     * the largest multiple of {@code bound} (so it may take more than one draw).
     *
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
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

    /**
     * Uniform in {@code [0, bound)} drawn as {@link java.util.SplittableRandom#nextInt(int)} draws it
     * from the same state (JDK 8 to 17 at least): a 32-bit mix of the next state, masked for a power
     * of two, else reduced modulo {@code bound} with rejection of the biased top range. Client
     * sampling and evaluation subsets were drawn this way from a {@code SplittableRandom}; this keeps
     * those streams without depending on the JDK's unpinned algorithm. New code uses {@link #nextInt}.
     *
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
    public int nextIntAsSplittableRandom(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        int r = mix32(state += GOLDEN_GAMMA);
        int m = bound - 1;
        if ((bound & m) == 0) {
            return r & m;
        }
        int u = r >>> 1;
        while (u + m - (r = u % bound) < 0) {
            u = mix32(state += GOLDEN_GAMMA) >>> 1;
        }
        return r;
    }

    /** The 32-bit finaliser SplittableRandom uses for int draws (Stafford's variant 4, upper half). */
    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62A9D9ED799705F5L;
        return (int) (((z ^ (z >>> 28)) * 0xCB24D0A5C88C35B3L) >>> 32);
    }

    /**
     * A standard normal by Marsaglia's polar method: draws pairs, returns one and keeps the other
     * for the next call (so calls alternate between consuming draws and not).
     */
    public double nextGaussianPolar() {
        if (hasSpareGaussian) {
            hasSpareGaussian = false;
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
        hasSpareGaussian = true;
        return u * f;
    }

    /** A standard normal by the Box-Muller transform: two draws per call, the partner is discarded. */
    public double nextGaussianBoxMuller() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /**
     * Gamma({@code shape}, 1) by Marsaglia and Tsang (with {@link #nextGaussianPolar}), boosted for
     * shape below one.
     *
     * @throws IllegalArgumentException unless {@code shape} is positive and finite
     */
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
                x = nextGaussianPolar();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /**
     * A draw from the symmetric Dirichlet({@code alpha}, ...) over {@code k} categories, as
     * normalised {@link #nextGamma} draws; when every gamma draw underflows (tiny alpha) all mass goes
     * to one uniformly chosen category.
     */
    public double[] nextDirichlet(double alpha, int k) {
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = nextGamma(alpha);
            sum += p[i];
        }
        if (sum == 0) {
            p[nextInt(k)] = 1;
            return p;
        }
        for (int i = 0; i < k; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Fisher-Yates shuffle of {@code a} in place, with {@link #nextInt}. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
