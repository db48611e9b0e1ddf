package dev.fl4j.privacy.internal;

/**
 * Arithmetic on numbers kept as their natural logarithms, and the logarithm of the complementary
 * error function, accurate far into the tail where {@code erfc} itself underflows.
 *
 * <p>{@code -Infinity} stands for zero throughout.
 */
public final class LogMath {

    private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    /** Below this argument {@code erfc = 1 - erf} (series); at and above it, a continued fraction. */
    private static final double SERIES_LIMIT = 2.0;

    private static final int MAX_TERMS = 10_000;

    private LogMath() {}

    /** {@code log(e^a + e^b)} without overflow. */
    public static double logAdd(double a, double b) {
        double hi = Math.max(a, b);
        double lo = Math.min(a, b);
        if (lo == Double.NEGATIVE_INFINITY) {
            return hi;
        }
        return hi + Math.log1p(Math.exp(lo - hi));
    }

    /**
     * {@code log(e^a - e^b)} for {@code a >= b}.
     *
     * @throws ArithmeticException if {@code a < b} (the difference would be negative)
     */
    public static double logSub(double a, double b) {
        if (a < b) {
            throw new ArithmeticException("log-space subtraction needs a >= b, got a=" + a + ", b=" + b);
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        if (a == b) {
            return Double.NEGATIVE_INFINITY;
        }
        return a + Math.log(-Math.expm1(b - a));
    }

    /**
     * {@code log(erfc(x))} for every finite {@code x}, with relative accuracy near machine precision.
     * For {@code x >= 2} the value comes from Laplace's continued fraction
     * {@code erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))} evaluated in log space,
     * so it stays finite where {@code erfc(x)} underflows (e.g. {@code logErfc(40) ≈ -1605.4}).
     * Below 2, {@code erfc = 1 - erf} with {@code erf} from its everywhere-positive series
     * {@code erf(x) = 2/√π · e^{-x²} Σ 2^n x^{2n+1}/(2n+1)!!}; negative {@code x} use
     * {@code erfc(x) = 2 - erfc(-x)}.
     */
    public static double logErfc(double x) {
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("logErfc of NaN");
        }
        if (x == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        if (x == Double.NEGATIVE_INFINITY) {
            return Math.log(2.0);
        }
        if (x >= SERIES_LIMIT) {
            return -x * x - LOG_SQRT_PI - Math.log(continuedFraction(x));
        }
        if (x >= 0) {
            return Math.log1p(-erfSeries(x));
        }
        if (x > -SERIES_LIMIT) {
            return Math.log1p(erfSeries(-x));
        }
        // erfc(x) = 2 - erfc(-x) with erfc(-x) < 0.005
        return Math.log(2.0 - Math.exp(logErfc(-x)));
    }

    /** {@code erf(x)} for {@code 0 <= x < 2} by a series whose terms are all positive. */
    private static double erfSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < MAX_TERMS; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (term <= sum * 1e-17) {
                return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
            }
        }
        throw new ArithmeticException("erf series did not converge at x=" + x);
    }

    /**
     * The continued fraction {@code x + (1/2)/(x + 1/(x + (3/2)/(x + …)))}, i.e. {@code b_k = x},
     * {@code a_k = k/2}, by the modified Lentz method.
     */
    private static double continuedFraction(double x) {
        final double tiny = 1e-300;
        double f = x;
        double c = f;
        double d = 0.0;
        for (int k = 1; k < MAX_TERMS; k++) {
            double a = 0.5 * k;
            d = x + a * d;
            if (d == 0.0) {
                d = tiny;
            }
            c = x + a / c;
            if (c == 0.0) {
                c = tiny;
            }
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                return f;
            }
        }
        throw new ArithmeticException("erfc continued fraction did not converge at x=" + x);
    }
}
