package dev.fl4j.privacy;

/**
 * An {@code (ε, δ)}-DP guarantee derived from an RDP curve, with the Rényi order that attains it
 * and the conversion used.
 *
 * @param epsilon ε >= 0, {@code +Infinity} if no tracked order gives a finite bound
 * @param delta δ in [0, 1]
 * @param order the Rényi order attaining the minimum; {@code NaN} when ε is infinite, or when ε is
 *     0 because the total-variation bound (not an order) gave it
 * @param conversion how the RDP curve was converted
 */
public record PrivacyLoss(double epsilon, double delta, double order, RdpConversion conversion) {

    @Override
    public String toString() {
        return "(ε=" + epsilon + ", δ=" + delta + ") at order " + order + " [" + conversion + "]";
    }
}
