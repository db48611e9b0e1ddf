package dev.fl4j.privacy;

/**
 * How a quantile estimate moves by one step of online gradient descent on the pinball loss
 * (Andrew, Thakkar, McMahan, Ramaswamy 2019, "Differentially Private Learning with Adaptive
 * Clipping", arXiv:1905.03871). With {@code b̄} the fraction of values at or below the estimate
 * {@code C}, {@code γ} the target quantile and {@code η} the learning rate, the loss gradient is
 * {@code b̄ - γ}, in [-1, 1].
 */
public enum QuantileUpdate {

    /**
     * {@code C ← C·exp(-η(b̄ - γ))}: the step is relative, so the estimate moves by at most a factor
     * {@code e^η} per round, stays positive, and adapts as fast to values of 1e-3 as of 1e3 — the
     * choice for norms, and TFF's default for adaptive clipping and zeroing.
     */
    GEOMETRIC {
        @Override
        double step(double estimate, double gradientStep) {
            return estimate * Math.exp(-gradientStep);
        }
    },

    /** {@code C ← C - η(b̄ - γ)}: the estimate moves by at most {@code η} per round. */
    ARITHMETIC {
        @Override
        double step(double estimate, double gradientStep) {
            return estimate - gradientStep;
        }
    };

    abstract double step(double estimate, double gradientStep);
}
