package dev.fl4j.privacy;

/**
 * An {@code (ε, δ)}-DP guarantee derived from an RDP curve, with the Rényi order that attains it
 * and the conversion used.
 *
 * @param epsilon ε >= 0, {@code +Infinity} if no tracked order gives a finite bound
 * @param delta δ in [0, 1]
 * @param order the tracked Rényi order attaining the minimum (the first one on ties); {@code NaN}
 *     when no order gives a finite ε
 * @param conversion how the RDP curve was converted
 */
public record PrivacyLoss(double epsilon, double delta, double order, RdpConversion conversion) {

    @Override
    public String toString() {
        return "(ε=" + epsilon + ", δ=" + delta + ") at order " + order + " [" + conversion + "]";
    }
}
