package dev.fl4j.privacy;

/**
 * A limit on privacy loss: a run may spend at most {@code maxEpsilon} at {@code delta}. A learning
 * process asks {@link #allowsStep} before each round and stops <em>before</em> a round that would
 * take ε above the limit, so the reported ε never exceeds the budget.
 *
 * @param delta δ in (0, 1)
 * @param maxEpsilon the largest ε allowed, finite and > 0
 * @param conversion the RDP-to-(ε, δ) conversion the limit is checked with
 */
public record PrivacyBudget(double delta, double maxEpsilon, RdpConversion conversion) {

    /**
     * @throws IllegalArgumentException if {@code delta} is not in (0, 1) or {@code maxEpsilon} is not
     *     finite and positive
     */
    public PrivacyBudget {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("privacy budget delta must be in (0, 1), got " + delta);
        }
        if (!(maxEpsilon > 0 && maxEpsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("privacy budget epsilon must be finite and > 0, got " + maxEpsilon);
        }
        if (conversion == null) {
            throw new IllegalArgumentException("privacy budget needs a conversion, got null");
        }
    }

    /** A budget checked with {@link RdpConversion#IMPROVED}. */
    public static PrivacyBudget of(double delta, double maxEpsilon) {
        return new PrivacyBudget(delta, maxEpsilon, RdpConversion.IMPROVED);
    }

    /** The ε already spent by {@code spent} at this budget's δ. */
    public PrivacyLoss spent(RdpAccountant spent) {
        return spent.epsilon(delta, conversion);
    }

    /** Whether {@code spent} is within the budget. */
    public boolean isWithin(RdpAccountant spent) {
        return spent(spent).epsilon() <= maxEpsilon;
    }

    /**
     * Whether one more step with noise multiplier {@code noiseMultiplier} and sampling rate
     * {@code samplingRate} keeps ε within the budget.
     */
    public boolean allowsStep(RdpAccountant spent, double noiseMultiplier, double samplingRate) {
        return isWithin(spent.compose(noiseMultiplier, samplingRate, 1));
    }

    /**
     * The largest number of further steps of {@code (noiseMultiplier, samplingRate)} that keeps ε
     * within the budget: 0 if not even one fits, {@link Long#MAX_VALUE} if steps cost nothing
     * (sampling rate 0). ε is non-decreasing in the number of steps, so this is found by doubling
     * then bisection.
     */
    public long remainingSteps(RdpAccountant spent, double noiseMultiplier, double samplingRate) {
        if (!allowsStep(spent, noiseMultiplier, samplingRate)) {
            return 0;
        }
        if (samplingRate == 0) {
            return Long.MAX_VALUE;
        }
        double[] orders = spent.orders();
        double[] base = spent.rdp();
        double[] perStep = RdpAccountant.rdpOfSampledGaussian(noiseMultiplier, samplingRate, 1, orders);
        long good = 1;
        long bad = 2;
        while (fits(orders, base, perStep, bad)) {
            good = bad;
            if (bad > Long.MAX_VALUE / 2) {
                return Long.MAX_VALUE;
            }
            bad *= 2;
        }
        while (bad - good > 1) {
            long mid = good + (bad - good) / 2;
            if (fits(orders, base, perStep, mid)) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        return good;
    }

    private boolean fits(double[] orders, double[] base, double[] perStep, long steps) {
        double[] total = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            total[i] = base[i] + steps * perStep[i];
        }
        return RdpAccountant.epsilonFromRdp(orders, total, delta, conversion).epsilon() <= maxEpsilon;
    }
}
