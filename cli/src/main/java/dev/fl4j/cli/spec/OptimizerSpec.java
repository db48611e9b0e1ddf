package dev.fl4j.cli.spec;

import dev.fl4j.learning.optimizers.Adagrad;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.RmsProp;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.optimizers.Yogi;
import java.util.List;

/**
 * A {@code --client-optimizer} or {@code --server-optimizer}: the library's functional optimizers
 * ({@code dev.fl4j.learning.optimizers}) by name, with their hyperparameters after colons and the
 * learning rate from {@code --client-lr} / {@code --server-lr}. Unlisted hyperparameters take TFF's
 * defaults (those of each optimizer's {@code of}):
 *
 * <ul>
 *   <li>{@code sgd}: plain SGD;
 *   <li>{@code sgdm:MOMENTUM}: heavy-ball momentum, {@code nesterov:MOMENTUM}: Nesterov momentum
 *       (Keras's {@code SGD(momentum=..., nesterov=True)});
 *   <li>{@code adam[:BETA1:BETA2[:EPSILON]]} (0.9, 0.999, 1e-7), {@code yogi[:BETA1:BETA2[:EPSILON]]}
 *       (0.9, 0.999, 1e-3);
 *   <li>{@code adagrad[:INITIAL_ACCUMULATOR[:EPSILON]]} (0.1, 1e-7), {@code rmsprop[:RHO[:EPSILON]]} (0.9,
 *       1e-7).
 * </ul>
 *
 * A weight decay λ from {@code --client-weight-decay} / {@code --server-weight-decay} is PyTorch's
 * coupled L2 {@code weight_decay} (the rule sees {@code g + λ·w}), see {@link Sgd}. Errors are
 * {@link SpecException}s naming the option, the value and the valid forms; a hyperparameter the
 * optimizer refuses (a momentum of 1, a negative epsilon) is reported with the optimizer's own message.
 */
public final class OptimizerSpec {

    private OptimizerSpec() {}

    /** The forms an optimizer option accepts. */
    public static final List<String> FORMS = List.of(
            "sgd",
            "sgdm:MOMENTUM",
            "nesterov:MOMENTUM",
            "adam[:BETA1:BETA2[:EPSILON]]",
            "adagrad[:INITIAL_ACCUMULATOR[:EPSILON]]",
            "yogi[:BETA1:BETA2[:EPSILON]]",
            "rmsprop[:RHO[:EPSILON]]");

    /** The name of the optimizer {@code spec} names ({@code sgdm} for {@code sgdm:0.9}), lower case, trimmed. */
    public static String name(String spec) {
        String t = spec.trim().toLowerCase(java.util.Locale.ROOT);
        int colon = t.indexOf(':');
        return colon < 0 ? t : t.substring(0, colon);
    }

    /**
     * The optimizer {@code spec} names at learning rate {@code lr} with weight decay {@code weightDecay}.
     *
     * @param option the option as messages name it, e.g. {@code client-optimizer}
     * @throws SpecException for an unknown name, a wrong parameter count or a bad hyperparameter
     */
    public static Optimizer parse(String option, String spec, float lr, float weightDecay) {
        SpecGrammar grammar = new SpecGrammar(option, FORMS);
        return grammar.parse(spec, text -> {
            SpecTerm term = grammar.term(text);
            List<String> p = term.params();
            Optimizer o = switch (term.name()) {
                case "sgd" -> {
                    term.expect(0);
                    yield Sgd.of(lr);
                }
                case "sgdm", "nesterov" -> {
                    term.expect(1);
                    float m = (float) term.number(0, "MOMENTUM");
                    if (!(m > 0f && m < 1f)) {
                        throw new IllegalArgumentException("MOMENTUM must be in (0, 1), got '" + p.get(0) + "'");
                    }
                    yield term.name().equals("sgdm")
                            ? Sgd.of(lr).withMomentum(m)
                            : Sgd.of(lr).withNesterov(m);
                }
                case "adam", "yogi" -> {
                    counts(term, 0, 2, 3);
                    boolean adam = term.name().equals("adam");
                    Adam a = Adam.of(lr);
                    Yogi y = Yogi.of(lr);
                    float b1 = p.isEmpty() ? a.beta1() : (float) term.number(0, "BETA1");
                    float b2 = p.isEmpty() ? a.beta2() : (float) term.number(1, "BETA2");
                    float eps = p.size() == 3 ? (float) term.number(2, "EPSILON") : adam ? a.epsilon() : y.epsilon();
                    yield adam
                            ? new Adam(lr, b1, b2, eps, 0f)
                            : new Yogi(lr, b1, b2, eps, y.initialPreconditionerValue(), 0f);
                }
                case "adagrad" -> {
                    counts(term, 0, 1, 2);
                    Adagrad d = Adagrad.of(lr);
                    float init = p.isEmpty()
                            ? d.initialPreconditionerValue()
                            : (float) term.number(0, "INITIAL_ACCUMULATOR");
                    float eps = p.size() == 2 ? (float) term.number(1, "EPSILON") : d.epsilon();
                    yield new Adagrad(lr, init, eps, 0f);
                }
                case "rmsprop" -> {
                    counts(term, 0, 1, 2);
                    RmsProp d = RmsProp.of(lr);
                    float rho = p.isEmpty() ? d.decay() : (float) term.number(0, "RHO");
                    float eps = p.size() == 2 ? (float) term.number(1, "EPSILON") : d.epsilon();
                    yield new RmsProp(lr, rho, eps, 0f);
                }
                default -> throw term.unknown();
            };
            return weightDecay == 0f ? o : withWeightDecay(o, weightDecay);
        });
    }

    private static void counts(SpecTerm term, int... allowed) {
        for (int n : allowed) {
            if (term.params().size() == n) {
                return;
            }
        }
        String form = FORMS.stream()
                .filter(f -> f.startsWith(term.name() + "["))
                .findFirst()
                .orElse(term.name());
        StringBuilder counts = new StringBuilder();
        for (int i = 0; i < allowed.length; i++) {
            counts.append(i == 0 ? "" : i == allowed.length - 1 ? " or " : ", ").append(allowed[i]);
        }
        throw new IllegalArgumentException("'" + term.name() + "' takes " + counts + " argument(s) (" + form + "), got "
                + term.params().size());
    }

    /** {@code o} with L2 weight decay {@code wd}. */
    public static Optimizer withWeightDecay(Optimizer o, float wd) {
        if (o instanceof Sgd s) {
            return s.withWeightDecay(wd);
        } else if (o instanceof Adam a) {
            return a.withWeightDecay(wd);
        } else if (o instanceof Yogi y) {
            return y.withWeightDecay(wd);
        } else if (o instanceof Adagrad a) {
            return a.withWeightDecay(wd);
        }
        return ((RmsProp) o).withWeightDecay(wd);
    }
}
