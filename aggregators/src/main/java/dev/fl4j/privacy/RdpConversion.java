package dev.fl4j.privacy;

/**
 * How a Rényi-DP curve {@code (α, ρ(α))} becomes an {@code (ε, δ)} guarantee. Both take the
 * minimum over the tracked orders; they differ in the bound used at each order.
 */
public enum RdpConversion {

    /**
     * Mironov 2017, "Rényi Differential Privacy", Proposition 3:
     * {@code ε = ρ(α) + log(1/δ)/(α-1)}, equivalently {@code δ = exp((α-1)(ρ(α) - ε))}.
     * This is what earlier versions of tensorflow_privacy's {@code get_privacy_spent} used, and
     * what the classic published numbers (e.g. ε ≈ 3.01 for the MNIST DP-SGD tutorial) come from.
     */
    CLASSIC,

    /**
     * Canonne, Kamath, Steinke 2020, "The Discrete Gaussian for Differential Privacy",
     * Proposition 12 (also Asoodeh et al. 2020 and Balle et al. 2020, Theorem 21):
     * {@code δ = exp((α-1)(ρ(α) - ε)) / α · (1 - 1/α)^(α-1)}, i.e.
     * {@code ε = ρ(α) + log(1 - 1/α) - (log δ + log α)/(α-1)}. It is never worse than
     * {@link #CLASSIC} and is what current tensorflow_privacy / dp_accounting and Opacus use.
     * As in dp_accounting, orders {@code α <= 1.01} are skipped (the bound is numerically unstable
     * there and never the minimum), and the Bretagnolle–Huber bound on total variation,
     * {@code δ <= sqrt(1 - exp(-ρ(α)))}, gives {@code ε = 0} when δ is at least that large.
     */
    IMPROVED
}
