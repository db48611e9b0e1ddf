package dev.fl4j.privacy;

import dev.fl4j.privacy.internal.SampledGaussianRdp;

/**
 * Privacy accounting with Rényi differential privacy (RDP) for the sampled Gaussian mechanism —
 * the mechanism of DP-SGD and of DP-FedAvg with client sampling: each round every client (or
 * example) takes part independently with probability {@code q}, contributions are clipped to L2
 * norm {@code C}, and the sum gets Gaussian noise of standard deviation {@code z·C} ({@code z} is
 * the <em>noise multiplier</em>).
 *
 * <h2>Math</h2>
 * For each tracked order α the accountant keeps the total RDP {@code ρ(α)}; composition adds RDP,
 * so {@code T} steps of {@code (z, q)} add {@code T·ρ_{z,q}(α)}, with {@code ρ_{z,q}} computed
 * exactly as in Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian
 * Mechanism" (integer orders by the exact binomial expansion of {@code A_α} summed in log space,
 * fractional orders by their two-sided series with Gaussian tail terms, {@code q = 1} as the plain
 * Gaussian mechanism {@code α/(2z²)}). {@link #epsilon(double)} converts the
 * curve to {@code (ε, δ)} with {@link RdpConversion#IMPROVED} (the conversion of current
 * tensorflow_privacy / dp_accounting); {@link #epsilon(double, RdpConversion)} can use the classic
 * one to reproduce older published numbers.
 *
 * <h2>Reference values</h2>
 * With the default orders ({@link RdpOrders#dpAccountingDefault()}), {@code z = 1.5},
 * {@code q = 0.04}, 2250 steps and {@code δ = 1e-5} give ε ≈ 7.33 ({@code IMPROVED}); the pinned
 * values and their sources are in the tests.
 *
 * <h2>Contract</h2>
 * Immutable and thread-safe: {@link #compose} returns a new accountant, so an accountant can be
 * part of a process's server state. Adjacency is add-or-remove-one (Poisson sampling), as in the
 * sources above.
 */
public final class RdpAccountant {

    private final double[] orders;
    private final double[] rdp;
    private final long steps;

    private RdpAccountant(double[] orders, double[] rdp, long steps) {
        this.orders = orders;
        this.rdp = rdp;
        this.steps = steps;
    }

    /** An accountant with no privacy spent, tracking {@link RdpOrders#dpAccountingDefault()}. */
    public static RdpAccountant create() {
        double[] orders = RdpOrders.dpAccountingDefault();
        return new RdpAccountant(orders, new double[orders.length], 0);
    }

    /**
     * An accountant with no privacy spent, tracking the given orders (copied).
     *
     * @throws IllegalArgumentException if the list is empty or an order is not in (1, 10000]
     */
    public static RdpAccountant withOrders(double... orders) {
        if (orders == null || orders.length == 0) {
            throw new IllegalArgumentException("RDP accountant needs at least one order, got none");
        }
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            if (!(a > 1 && a <= SampledGaussianRdp.MAX_ORDER)) {
                throw new IllegalArgumentException(
                        "RDP order at index " + i + " must be in (1, " + SampledGaussianRdp.MAX_ORDER + "], got " + a);
            }
        }
        double[] copy = orders.clone();
        return new RdpAccountant(copy, new double[copy.length], 0);
    }

    /**
     * The RDP of {@code steps} steps of the sampled Gaussian mechanism at each of {@code orders},
     * without creating an accountant.
     */
    public static double[] rdpOfSampledGaussian(
            double noiseMultiplier, double samplingRate, long steps, double[] orders) {
        checkEvent(noiseMultiplier, samplingRate, steps);
        double[] out = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            out[i] = steps == 0 ? 0.0 : steps * SampledGaussianRdp.rdp(samplingRate, noiseMultiplier, orders[i]);
        }
        return out;
    }

    /**
     * This accountant plus {@code steps} steps of the sampled Gaussian mechanism.
     *
     * @param noiseMultiplier {@code z}, noise standard deviation over L2 sensitivity; finite, >= 0
     *     (0 means no noise: ε becomes infinite unless {@code samplingRate} is 0)
     * @param samplingRate {@code q} in [0, 1], the probability that a given record takes part
     * @param steps number of steps (rounds), >= 0
     */
    public RdpAccountant compose(double noiseMultiplier, double samplingRate, long steps) {
        checkEvent(noiseMultiplier, samplingRate, steps);
        double[] next = rdp.clone();
        if (steps > 0) {
            for (int i = 0; i < orders.length; i++) {
                next[i] += steps * SampledGaussianRdp.rdp(samplingRate, noiseMultiplier, orders[i]);
            }
        }
        return new RdpAccountant(orders, next, Math.addExact(this.steps, steps));
    }

    /** This accountant plus one step of the sampled Gaussian mechanism. */
    public RdpAccountant compose(double noiseMultiplier, double samplingRate) {
        return compose(noiseMultiplier, samplingRate, 1);
    }

    /** Total number of steps composed so far. */
    public long steps() {
        return steps;
    }

    /** The tracked orders (a copy). */
    public double[] orders() {
        return orders.clone();
    }

    /** The total RDP at each tracked order (a copy, aligned with {@link #orders()}). */
    public double[] rdp() {
        return rdp.clone();
    }

    /** The smallest ε for {@code delta} under {@link RdpConversion#IMPROVED}. */
    public PrivacyLoss epsilon(double delta) {
        return epsilon(delta, RdpConversion.IMPROVED);
    }

    /**
     * The smallest ε such that the composed mechanism is {@code (ε, delta)}-DP, minimised over the
     * tracked orders.
     *
     * @param delta in (0, 1]
     */
    public PrivacyLoss epsilon(double delta, RdpConversion conversion) {
        return epsilonFromRdp(orders, rdp, delta, conversion);
    }

    /** The smallest δ for {@code epsilon} under {@link RdpConversion#IMPROVED}. */
    public PrivacyLoss delta(double epsilon) {
        return delta(epsilon, RdpConversion.IMPROVED);
    }

    /**
     * The smallest δ such that the composed mechanism is {@code (epsilon, δ)}-DP, minimised over the
     * tracked orders.
     *
     * @param epsilon finite, >= 0
     */
    public PrivacyLoss delta(double epsilon, RdpConversion conversion) {
        return deltaFromRdp(orders, rdp, epsilon, conversion);
    }

    /**
     * Converts an arbitrary RDP curve to ε for {@code delta}.
     *
     * @throws IllegalArgumentException if the arrays differ in length, an order is not > 1, an RDP
     *     value is negative or NaN, or {@code delta} is not in (0, 1]
     */
    public static PrivacyLoss epsilonFromRdp(double[] orders, double[] rdp, double delta, RdpConversion conversion) {
        checkCurve(orders, rdp);
        if (!(delta > 0 && delta <= 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1], got " + delta);
        }
        double logDelta = Math.log(delta);
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double r = rdp[i];
            double eps;
            if (conversion == RdpConversion.CLASSIC) {
                eps = r - logDelta / (a - 1);
            } else if (delta * delta + Math.expm1(-r) >= 0) {
                eps = 0.0; // δ is at least the total-variation bound sqrt(1 - e^{-KL}), KL <= ρ(α)
            } else if (a > 1.01) {
                eps = r + Math.log1p(-1 / a) - (logDelta + Math.log(a)) / (a - 1);
            } else {
                eps = Double.POSITIVE_INFINITY;
            }
            if (eps < best) {
                best = eps;
                bestOrder = a;
            }
        }
        return new PrivacyLoss(Math.max(0.0, best), delta, bestOrder, conversion);
    }

    /**
     * Converts an arbitrary RDP curve to δ for {@code epsilon}.
     *
     * @throws IllegalArgumentException if the curve is invalid (see {@link #epsilonFromRdp}) or
     *     {@code epsilon} is negative, NaN or infinite
     */
    public static PrivacyLoss deltaFromRdp(double[] orders, double[] rdp, double epsilon, RdpConversion conversion) {
        checkCurve(orders, rdp);
        if (!(epsilon >= 0 && epsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("epsilon must be finite and >= 0, got " + epsilon);
        }
        double bestLog = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double r = rdp[i];
            double logDelta;
            if (conversion == RdpConversion.CLASSIC) {
                logDelta = (a - 1) * (r - epsilon);
            } else {
                logDelta = r == 0 ? Double.NEGATIVE_INFINITY : 0.5 * Math.log1p(-Math.exp(-r));
                if (a > 1.01) {
                    logDelta = Math.min(logDelta, (a - 1) * (r - epsilon + Math.log1p(-1 / a)) - Math.log(a));
                }
            }
            if (logDelta < bestLog) {
                bestLog = logDelta;
                bestOrder = a;
            }
        }
        if (Double.isNaN(bestOrder)) {
            bestOrder = orders[0];
        }
        return new PrivacyLoss(epsilon, Math.min(1.0, Math.exp(bestLog)), bestOrder, conversion);
    }

    private static void checkEvent(double noiseMultiplier, double samplingRate, long steps) {
        if (!(noiseMultiplier >= 0 && noiseMultiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noise multiplier must be finite and >= 0, got " + noiseMultiplier);
        }
        if (!(samplingRate >= 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException("sampling rate must be in [0, 1], got " + samplingRate);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
    }

    private static void checkCurve(double[] orders, double[] rdp) {
        if (orders.length != rdp.length) {
            throw new IllegalArgumentException(
                    "RDP curve needs one value per order: " + orders.length + " orders, " + rdp.length + " values");
        }
        if (orders.length == 0) {
            throw new IllegalArgumentException("RDP curve is empty");
        }
        for (int i = 0; i < orders.length; i++) {
            if (!(orders[i] > 1)) {
                throw new IllegalArgumentException("RDP order at index " + i + " must be > 1, got " + orders[i]);
            }
            if (!(rdp[i] >= 0)) {
                throw new IllegalArgumentException("RDP at order " + orders[i] + " must be >= 0, got " + rdp[i]);
            }
        }
    }

    @Override
    public String toString() {
        return "RdpAccountant[steps=" + steps + ", orders=" + orders.length + "]";
    }
}
