package dev.fl4j.privacy.internal;

/**
 * Rényi differential privacy of one step of the sampled Gaussian mechanism (Mironov, Talwar,
 * Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism", arXiv:1908.10530):
 * every record is included independently with probability {@code q}, the sum of included records
 * (each of L2 norm at most 1) gets {@code N(0, σ²)} noise per coordinate, {@code σ} being the
 * noise multiplier.
 *
 * <p>The RDP at order {@code α > 1} is {@code log(A_α)/(α-1)} with
 * {@code A_α = E_{z~N(0,σ²)}[((1-q) + q·exp((2z-1)/(2σ²)))^α]}.
 * <ul>
 *   <li>Integer {@code α}: the binomial expansion is exact,
 *       {@code A_α = Σ_{i=0..α} C(α,i) q^i (1-q)^{α-i} exp((i²-i)/(2σ²))}, summed in log space.</li>
 *   <li>Fractional {@code α}: the two-sided series of Mironov et al. (section 3.3), splitting the
 *       integral at {@code z0 = σ² log(1/q - 1) + 1/2}; each term carries a generalised binomial
 *       coefficient {@code C(α,i)} (whose sign alternates once {@code i > α}) and a Gaussian tail
 *       {@code erfc}. Terms are added until both sides fall below {@code e^-30}.</li>
 *   <li>{@code q = 0}: 0; {@code σ = 0} with {@code q > 0}: +∞; {@code q = 1}: the plain Gaussian
 *       mechanism, {@code α/(2σ²)}.</li>
 * </ul>
 * This is the same computation as tensorflow_privacy's {@code compute_rdp} and dp_accounting's
 * Poisson-sampled Gaussian RDP; the code here is written from the paper's formulas.
 */
public final class SampledGaussianRdp {

    /** Largest order accepted; the integer path costs O(α) and the series grows with α. */
    public static final double MAX_ORDER = 10_000;

    private static final double LOG_HALF = Math.log(0.5);
    private static final double SERIES_CUTOFF = -30.0;
    private static final int MAX_SERIES_TERMS = 1_000_000;

    private SampledGaussianRdp() {}

    /**
     * RDP of one step at order {@code alpha}.
     *
     * @param q sampling probability in [0, 1]
     * @param sigma noise multiplier (noise standard deviation over L2 sensitivity), finite, >= 0
     * @param alpha Rényi order in (1, {@link #MAX_ORDER}]
     * @return the RDP, possibly {@code +Infinity}
     */
    public static double rdp(double q, double sigma, double alpha) {
        if (q == 0) {
            return 0.0;
        }
        if (sigma == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        // A_α >= 1 (a Rényi divergence is non-negative); rounding can leave log A a hair below 0
        // when q is tiny and σ large.
        return Math.max(0.0, logA(q, sigma, alpha) / (alpha - 1));
    }

    /** {@code log(A_α)} for {@code 0 < q < 1}, {@code σ > 0}. */
    public static double logA(double q, double sigma, double alpha) {
        if (alpha == Math.rint(alpha)) {
            return logAInteger(q, sigma, (int) alpha);
        }
        return logAFractional(q, sigma, alpha);
    }

    static double logAInteger(double q, double sigma, int alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoSigmaSq = 2 * sigma * sigma;
        double logBinomial = 0.0; // log C(alpha, 0)
        double logA = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= alpha; i++) {
            if (i > 0) {
                logBinomial += Math.log(alpha - i + 1) - Math.log(i);
            }
            double di = i;
            double term = logBinomial + di * logQ + (alpha - di) * log1mQ + (di * di - di) / twoSigmaSq;
            logA = LogMath.logAdd(logA, term);
        }
        return logA;
    }

    static double logAFractional(double q, double sigma, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoSigmaSq = 2 * sigma * sigma;
        double sqrt2Sigma = Math.sqrt(2) * sigma;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;

        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double logAbsCoef = 0.0; // log |C(alpha, 0)|
        boolean positive = true;
        for (int i = 0; i < MAX_SERIES_TERMS; i++) {
            if (i > 0) {
                double factor = (alpha - (i - 1)) / i; // C(a,i) = C(a,i-1) (a-i+1)/i
                if (factor < 0) {
                    positive = !positive;
                }
                logAbsCoef += Math.log(Math.abs(factor));
            }
            double j = alpha - i;
            double logT0 = logAbsCoef + i * logQ + j * log1mQ;
            double logT1 = logAbsCoef + j * logQ + i * log1mQ;
            double logE0 = LOG_HALF + LogMath.logErfc((i - z0) / sqrt2Sigma);
            double logE1 = LOG_HALF + LogMath.logErfc((z0 - j) / sqrt2Sigma);
            double logS0 = logT0 + ((double) i * i - i) / twoSigmaSq + logE0;
            double logS1 = logT1 + (j * j - j) / twoSigmaSq + logE1;
            if (positive) {
                logA0 = LogMath.logAdd(logA0, logS0);
                logA1 = LogMath.logAdd(logA1, logS1);
            } else {
                logA0 = subtract(logA0, logS0, q, sigma, alpha);
                logA1 = subtract(logA1, logS1, q, sigma, alpha);
            }
            if (Math.max(logS0, logS1) < SERIES_CUTOFF) {
                return LogMath.logAdd(logA0, logA1);
            }
        }
        throw new ArithmeticException(
                "RDP series did not converge for q=" + q + ", sigma=" + sigma + ", order=" + alpha);
    }

    private static double subtract(double a, double b, double q, double sigma, double alpha) {
        if (a < b) {
            throw new ArithmeticException("RDP series lost precision (negative partial sum) for q=" + q + ", sigma="
                    + sigma + ", order=" + alpha);
        }
        return LogMath.logSub(a, b);
    }
}
