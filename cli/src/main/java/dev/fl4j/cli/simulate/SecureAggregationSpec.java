package dev.fl4j.cli.simulate;

import dev.fl4j.core.runtime.SecureSumProtocol;
import dev.fl4j.secagg.DropoutPlan;
import dev.fl4j.secagg.SecAggPlus;
import dev.fl4j.secagg.SecAggPlusServer;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code --secure-aggregation}: how {@code federated_secure_sum_bitwidth} runs on the simulation's local
 * runtime. {@code plain} (the default) sums modulo {@code 2^b} in this JVM; {@code secagg+} runs the
 * SecAgg+ protocol with in-process clients, {@code secagg+:NUM_SHARES} and
 * {@code secagg+:NUM_SHARES:THRESHOLD} set Flower's {@code num_shares} and
 * {@code reconstruction_threshold}: a whole number is a count, a number with a decimal point a fraction as
 * in Flower ({@code num_shares} of each round's clients, the threshold of {@code num_shares}), e.g.
 * {@code secagg+:0.5:0.75}.
 *
 * <p>{@code --secagg-dropouts FRACTION@STAGE[,FRACTION@STAGE...]} simulates clients that drop out of
 * every secure sum: {@code round(FRACTION × clients)} of them, drawn from the run's seed, stop answering
 * at {@code STAGE} ({@code advertise-keys}, {@code share-keys}, {@code masked-input} or
 * {@code unmasking}); the draws of several stages are made apart and a client that dropped stays out.
 */
final class SecureAggregationSpec {

    /** {@code num_shares} when the spec does not say: 10 neighbours each, capped at the clients of a round. */
    static final int DEFAULT_NUM_SHARES = 11;

    private SecureAggregationSpec() {}

    /** The protocol the spec names, empty for {@code plain}. */
    static Optional<SecureSumProtocol> parse(String spec) {
        return parse(spec, null, 0);
    }

    /**
     * The protocol {@code spec} names with the simulated dropouts of {@code dropouts} (null or blank for
     * none) drawn from {@code seed}; empty for {@code plain}.
     *
     * @throws UsageException if either is malformed, or dropouts are given without {@code secagg+}
     */
    static Optional<SecureSumProtocol> parse(String spec, String dropouts, long seed) {
        String s = spec == null ? "" : spec.trim();
        boolean dropping = dropouts != null && !dropouts.isBlank();
        if (s.equals("plain")) {
            if (dropping) {
                throw new UsageException("--secagg-dropouts " + dropouts
                        + " simulates dropouts of the SecAgg+ protocol;" + " it needs --secure-aggregation secagg+");
            }
            return Optional.empty();
        }
        String[] parts = s.split(":", -1);
        if (!parts[0].equals("secagg+") || parts.length > 3) {
            throw new UsageException("--secure-aggregation must be plain, secagg+, secagg+:NUM_SHARES or"
                    + " secagg+:NUM_SHARES:THRESHOLD, got '" + spec + "'");
        }
        SecAggPlus.Builder b = SecAggPlus.builder();
        try {
            if (parts.length > 1 && isFraction(parts[1])) {
                b.setNumSharesFraction(fraction(parts[1], "NUM_SHARES", spec));
            } else {
                b.setNumShares(parts.length > 1 ? number(parts[1], "NUM_SHARES", spec) : DEFAULT_NUM_SHARES);
            }
            if (parts.length > 2) {
                if (isFraction(parts[2])) {
                    b.optReconstructionThresholdFraction(fraction(parts[2], "THRESHOLD", spec));
                } else {
                    b.optReconstructionThreshold(number(parts[2], "THRESHOLD", spec));
                }
            }
            if (dropping) {
                b.optDropouts(dropoutPlan(dropouts, seed));
            }
            return Optional.of(b.build());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--secure-aggregation " + spec + ": " + e.getMessage());
        }
    }

    /** The plan of {@code --secagg-dropouts}: {@code FRACTION@STAGE[,FRACTION@STAGE...]}, each stage once. */
    static DropoutPlan dropoutPlan(String text, long seed) {
        String[] items = text.trim().split(",", -1);
        DropoutPlan plan = DropoutPlan.none();
        boolean[] seen = new boolean[SecAggPlusServer.Stage.values().length];
        for (String item : items) {
            String[] kv = item.trim().split("@", -1);
            if (kv.length != 2) {
                throw new UsageException("--secagg-dropouts takes FRACTION@STAGE[,FRACTION@STAGE...], e.g."
                        + " 0.1@masked-input, got '" + item.trim() + "'");
            }
            SecAggPlusServer.Stage stage = stage(kv[1].trim());
            if (seen[stage.ordinal()]) {
                throw new UsageException("--secagg-dropouts names stage " + kv[1].trim() + " twice");
            }
            seen[stage.ordinal()] = true;
            double f;
            try {
                f = Double.parseDouble(kv[0].trim());
            } catch (NumberFormatException e) {
                throw new UsageException(
                        "--secagg-dropouts: FRACTION must be a number in [0, 1], got '" + kv[0].trim() + "'");
            }
            if (!(f >= 0 && f <= 1)) {
                throw new UsageException("--secagg-dropouts: FRACTION must be in [0, 1], got " + kv[0].trim());
            }
            DropoutPlan earlier = plan;
            DropoutPlan now = DropoutPlan.fraction(f, stage, seed + 0x5EC_A66L * (stage.ordinal() + 1));
            plan = (st, index, clients) -> earlier.drops(st, index, clients) || now.drops(st, index, clients);
        }
        return plan;
    }

    private static SecAggPlusServer.Stage stage(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "advertise-keys" -> SecAggPlusServer.Stage.ADVERTISE_KEYS;
            case "share-keys" -> SecAggPlusServer.Stage.SHARE_KEYS;
            case "masked-input" -> SecAggPlusServer.Stage.MASKED_INPUT;
            case "unmasking" -> SecAggPlusServer.Stage.UNMASKING;
            default ->
                throw new UsageException("--secagg-dropouts: STAGE must be advertise-keys, share-keys, masked-input"
                        + " or unmasking, got '" + name + "'");
        };
    }

    private static boolean isFraction(String text) {
        return text.contains(".");
    }

    private static double fraction(String text, String what, String spec) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new UsageException("--secure-aggregation " + spec + ": " + what
                    + " must be a whole number or a fraction, got '" + text + "'");
        }
    }

    private static int number(String text, String what, String spec) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException("--secure-aggregation " + spec + ": " + what
                    + " must be a whole number or a fraction, got '" + text + "'");
        }
    }
}
