package dev.fl4j.cli.spec;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * The small grammar every structured option of the command line shares: a value is one or more
 * terms, each a lower-case name followed by colon-separated parameters ({@code name[:PARAM]*}, e.g.
 * {@code dirichlet:0.5}, {@code multi-krum:2:3}); case and surrounding blanks do not matter. Options
 * that combine terms ({@code --aggregator}'s {@code +}) split the value first and read each piece with
 * {@link #term}. A parameter that has a grammar of its own (an encoder preset such as
 * {@code uniform:2@1000}) is taken whole with {@link SpecTerm#rest()}.
 *
 * <p>Every problem, whether found by the grammar ({@link SpecTerm#expect}, {@link SpecTerm#number},
 * {@link SpecTerm#whole}, an unknown name) or by the factory the parameters are handed to (an
 * {@link IllegalArgumentException} such as "trimmed fraction must be in [0, 0.5)"), comes out of
 * {@link #parse} as one {@link SpecException} naming the option, the value as written, the reason and
 * the valid forms.
 */
public final class SpecGrammar {

    private final String option;
    private final List<String> forms;

    /**
     * @param option the option's name as messages show it, e.g. {@code partition}
     * @param forms  the accepted forms as messages list them, e.g. {@code dirichlet:ALPHA}; a form's
     *               text up to its first colon is the name its parameter-count message quotes
     */
    public SpecGrammar(String option, List<String> forms) {
        this.option = Objects.requireNonNull(option, "option");
        this.forms = List.copyOf(forms);
    }

    /** The option's name. */
    public String option() {
        return option;
    }

    /** The accepted forms. */
    public List<String> forms() {
        return forms;
    }

    /**
     * Reads {@code spec}: {@code reader} gets it trimmed and lower-cased; anything it throws as an
     * {@link IllegalArgumentException} comes out as a {@link SpecException} with that reason.
     *
     * @throws SpecException for a blank value, or whatever {@code reader} refuses
     */
    public <T> T parse(String spec, Function<String, T> reader) {
        if (spec == null || spec.isBlank()) {
            throw error(String.valueOf(spec), "empty " + option);
        }
        try {
            return reader.apply(spec.trim().toLowerCase(Locale.ROOT));
        } catch (SpecException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw error(spec, e.getMessage());
        }
    }

    /** One {@code name[:PARAM]*} term of a value (already trimmed and lower-cased by {@link #parse}). */
    public SpecTerm term(String text) {
        return new SpecTerm(this, text);
    }

    /** The error for {@code spec} with reason {@code why}. */
    public SpecException error(String spec, String why) {
        return new SpecException(option, spec, why, String.join(", ", forms));
    }

    /** The form listed for {@code name} ({@code name} itself when none is). */
    String formOf(String name) {
        return forms.stream()
                .filter(f -> f.equals(name) || f.startsWith(name + ":"))
                .findFirst()
                .orElse(name);
    }
}
