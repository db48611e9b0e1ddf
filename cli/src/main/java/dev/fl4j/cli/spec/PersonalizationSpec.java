package dev.fl4j.cli.spec;

import dev.fl4j.learning.algorithms.PersonalizationEvaluation.FineTuning;
import dev.fl4j.learning.optimizers.Optimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One {@code --personalization} strategy, {@code NAME:EPOCHS:LR[:OPTIMIZER]}: fine-tune the global model on a
 * client's training data for {@code EPOCHS} passes with {@code OPTIMIZER} (a {@code --client-optimizer} form, e.g.
 * {@code sgdm:0.9} or {@code adam}; default {@code sgd}) at learning rate {@code LR}, as TFF's
 * {@code build_personalization_eval} takes named personalization functions. {@code NAME} is a lower-case identifier
 * ({@code [a-z][a-z0-9_]*}) other than {@code baseline_metrics} and {@code num_clients}, the names the result
 * reserves.
 */
public record PersonalizationSpec(String name, int epochs, float learningRate, String optimizer) {

    /** The form of one strategy. */
    public static final String FORM = "NAME:EPOCHS:LR[:OPTIMIZER]";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    /**
     * The strategies {@code specs} name, in order.
     *
     * @throws IllegalArgumentException for a malformed strategy, a bad optimizer or a name given twice, naming it
     */
    public static List<PersonalizationSpec> parseAll(List<String> specs) {
        Map<String, PersonalizationSpec> byName = new LinkedHashMap<>();
        for (String text : specs) {
            PersonalizationSpec p = parse(text);
            if (byName.put(p.name(), p) != null) {
                throw new IllegalArgumentException(
                        "personalization strategy '" + p.name() + "' is named twice; each needs its own name");
            }
        }
        return new ArrayList<>(byName.values());
    }

    /**
     * The strategy {@code text} names.
     *
     * @throws IllegalArgumentException for a malformed strategy or a bad optimizer, naming the part
     */
    public static PersonalizationSpec parse(String text) {
        String t = text.trim();
        String[] p = t.split(":", 4);
        if (p.length < 3) {
            throw new IllegalArgumentException(
                    "personalization '" + text + "': expected " + FORM + ", e.g. sgd_1:1:0.01 or adam_5:5:0.001:adam");
        }
        String name = p[0].trim();
        if (!NAME.matcher(name).matches() || name.equals("baseline_metrics") || name.equals("num_clients")) {
            throw new IllegalArgumentException("personalization '" + text + "': NAME '" + name
                    + "' must be a lower-case identifier ([a-z][a-z0-9_]*) other than baseline_metrics and"
                    + " num_clients");
        }
        int epochs;
        try {
            epochs = Integer.parseInt(p[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "personalization '" + text + "': EPOCHS must be a whole number, got '" + p[1] + "'");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException(
                    "personalization '" + text + "': EPOCHS must be >= 1, got '" + p[1] + "'");
        }
        float lr;
        try {
            lr = Float.parseFloat(p[2].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "personalization '" + text + "': LR must be a number, got '" + p[2] + "'");
        }
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException(
                    "personalization '" + text + "': LR must be a finite number > 0 (in float32), got '" + p[2] + "'");
        }
        String optimizer = p.length == 4 ? p[3].trim().toLowerCase(Locale.ROOT) : "sgd";
        PersonalizationSpec spec = new PersonalizationSpec(name, epochs, lr, optimizer);
        try {
            spec.optimizerAt();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("personalization '" + text + "': " + e.getMessage(), e);
        }
        return spec;
    }

    private Optimizer optimizerAt() {
        return OptimizerSpec.parse("personalization optimizer", optimizer, learningRate, 0f);
    }

    /** The fine-tuning this strategy stands for. */
    public FineTuning fineTuning() {
        return new FineTuning(optimizerAt(), epochs);
    }

    /** The canonical text, which {@link #parse} reads back as this strategy. */
    public String text() {
        return name + ":" + epochs + ":" + learningRate + ":" + optimizer;
    }

    /** How the before/after table describes it, e.g. {@code 2 epochs of sgdm:0.9 at lr 0.01}. */
    public String describe() {
        return epochs + " epoch" + (epochs == 1 ? "" : "s") + " of " + optimizer + " at lr " + learningRate;
    }
}
