package dev.fl4j.secagg;

import dev.fl4j.core.random.SplitMix64;
import java.util.Objects;

/**
 * Which clients drop out of an in-process SecAgg+ session ({@link SecAggPlus}), and when: for testing a
 * pipeline under dropouts and measuring the protocol's cost with them. A client that drops at a stage
 * sends nothing from that stage on. The choice of who drops protects nobody, so it is a seeded,
 * reproducible draw ({@link SplitMix64}), not {@code SecureRandom}.
 */
@FunctionalInterface
public interface DropoutPlan {

    /**
     * Whether client {@code index} (0-based, in the runtime's client order; its protocol id is
     * {@code index + 1}) of {@code clients} drops at {@code stage}, one of
     * {@link SecAggPlusServer.Stage#ADVERTISE_KEYS}, {@link SecAggPlusServer.Stage#SHARE_KEYS},
     * {@link SecAggPlusServer.Stage#MASKED_INPUT} and {@link SecAggPlusServer.Stage#UNMASKING}.
     */
    boolean drops(SecAggPlusServer.Stage stage, int index, int clients);

    /** Nobody drops. */
    static DropoutPlan none() {
        return (stage, index, clients) -> false;
    }

    /**
     * {@code round(fraction × clients)} clients, drawn from {@code seed}, drop at {@code stage}.
     *
     * @throws IllegalArgumentException if {@code fraction} is outside {@code [0, 1]} or the stage is not one
     *     of the four protocol stages
     */
    static DropoutPlan fraction(double fraction, SecAggPlusServer.Stage stage, long seed) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("the dropout fraction must be in [0, 1], got " + fraction);
        }
        Objects.requireNonNull(stage, "stage");
        if (stage == SecAggPlusServer.Stage.NOT_STARTED
                || stage == SecAggPlusServer.Stage.DONE
                || stage == SecAggPlusServer.Stage.FAILED) {
            throw new IllegalArgumentException("clients drop at one of the four protocol stages, not " + stage);
        }
        return (s, index, clients) -> {
            if (s != stage) {
                return false;
            }
            int[] order = new int[clients];
            for (int i = 0; i < clients; i++) {
                order[i] = i;
            }
            new SplitMix64(seed ^ clients).shuffle(order);
            int dropping = (int) Math.round(fraction * clients);
            for (int i = 0; i < dropping; i++) {
                if (order[i] == index) {
                    return true;
                }
            }
            return false;
        };
    }
}
