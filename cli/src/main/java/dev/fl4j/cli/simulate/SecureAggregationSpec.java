package dev.fl4j.cli.simulate;

import dev.fl4j.core.runtime.SecureSumProtocol;
import dev.fl4j.secagg.SecAggPlus;
import java.util.Optional;

/**
 * {@code --secure-aggregation}: how {@code federated_secure_sum_bitwidth} runs on the simulation's local
 * runtime. {@code plain} (the default) sums modulo {@code 2^b} in this JVM; {@code secagg+} runs the
 * SecAgg+ protocol with in-process clients, {@code secagg+:NUM_SHARES} and
 * {@code secagg+:NUM_SHARES:THRESHOLD} set Flower's {@code num_shares} and
 * {@code reconstruction_threshold}.
 */
final class SecureAggregationSpec {

    /** {@code num_shares} when the spec does not say: 10 neighbours each, capped at the clients of a round. */
    static final int DEFAULT_NUM_SHARES = 11;

    private SecureAggregationSpec() {}

    /** The protocol the spec names, empty for {@code plain}. */
    static Optional<SecureSumProtocol> parse(String spec) {
        String s = spec == null ? "" : spec.trim();
        if (s.equals("plain")) {
            return Optional.empty();
        }
        String[] parts = s.split(":", -1);
        if (!parts[0].equals("secagg+") || parts.length > 3) {
            throw new UsageException("--secure-aggregation must be plain, secagg+, secagg+:NUM_SHARES or"
                    + " secagg+:NUM_SHARES:THRESHOLD, got '" + spec + "'");
        }
        SecAggPlus.Builder b = SecAggPlus.builder()
                .setNumShares(parts.length > 1 ? number(parts[1], "NUM_SHARES", spec) : DEFAULT_NUM_SHARES);
        try {
            if (parts.length > 2) {
                b.optReconstructionThreshold(number(parts[2], "THRESHOLD", spec));
            }
            return Optional.of(b.build());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--secure-aggregation " + spec + ": " + e.getMessage());
        }
    }

    private static int number(String text, String what, String spec) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException(
                    "--secure-aggregation " + spec + ": " + what + " must be a whole number, got '" + text + "'");
        }
    }
}
