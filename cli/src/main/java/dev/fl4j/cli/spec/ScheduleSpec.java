package dev.fl4j.cli.spec;

import dev.fl4j.learning.optimizers.LearningRateSchedule;
import java.util.List;

/**
 * A {@code --client-lr-schedule} or {@code --server-lr-schedule}: how the learning rate given by
 * {@code --client-lr} or {@code --server-lr} changes with the round (0-based), in Keras's formulas
 * ({@link LearningRateSchedule}): {@code constant}, {@code exponential:RATE:ROUNDS}
 * ({@code lr·RATE^(round/ROUNDS)}), {@code staircase:RATE:ROUNDS} (the exponent floored),
 * {@code inverse-time:RATE:ROUNDS} ({@code lr/(1 + RATE·round/ROUNDS)}) and {@code cosine:ROUNDS[:ALPHA]}
 * (from {@code lr} to {@code ALPHA·lr} at round {@code ROUNDS}). Errors are {@link SpecException}s naming
 * the option and the valid forms.
 */
public final class ScheduleSpec {

    private ScheduleSpec() {}

    /** The forms a schedule option accepts. */
    public static final List<String> FORMS = List.of(
            "constant",
            "exponential:RATE:ROUNDS",
            "staircase:RATE:ROUNDS",
            "inverse-time:RATE:ROUNDS",
            "cosine:ROUNDS[:ALPHA]");

    /**
     * The schedule {@code spec} names for base rate {@code lr}.
     *
     * @param option the option as messages name it, e.g. {@code client-lr-schedule}
     * @throws SpecException for an unknown name, a wrong parameter count or a bad parameter
     */
    public static LearningRateSchedule parse(String option, String spec, float lr) {
        SpecGrammar grammar = new SpecGrammar(option, FORMS);
        return grammar.parse(spec, text -> {
            SpecTerm term = grammar.term(text);
            switch (term.name()) {
                case "constant" -> {
                    term.expect(0);
                    return LearningRateSchedule.constant(lr);
                }
                case "exponential", "staircase" -> {
                    term.expect(2);
                    return LearningRateSchedule.exponentialDecay(
                            lr,
                            term.number(0, "RATE"),
                            term.whole(1, "ROUNDS"),
                            term.name().equals("staircase"));
                }
                case "inverse-time" -> {
                    term.expect(2);
                    return LearningRateSchedule.inverseTimeDecay(lr, term.number(0, "RATE"), term.whole(1, "ROUNDS"));
                }
                case "cosine" -> {
                    if (term.params().size() != 1 && term.params().size() != 2) {
                        throw new IllegalArgumentException(
                                "'cosine' takes 1 or 2 argument(s) (cosine:ROUNDS[:ALPHA]), got "
                                        + term.params().size());
                    }
                    double alpha = term.params().size() == 2 ? term.number(1, "ALPHA") : 0;
                    return LearningRateSchedule.cosineDecay(lr, term.whole(0, "ROUNDS"), alpha);
                }
                default -> throw term.unknown();
            }
        });
    }
}
