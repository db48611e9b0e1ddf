package dev.fl4j.cli.spec;

import java.util.List;

/**
 * One {@code name[:PARAM]*} term of an option value, with the checks every grammar needs: the
 * parameter count, numbers and whole numbers. Their failures are {@link IllegalArgumentException}s
 * whose message names the term and the bad token; {@link SpecGrammar#parse} adds the option, the
 * whole value and the valid forms.
 */
public final class SpecTerm {

    private final SpecGrammar grammar;
    private final String text;
    private final String name;
    private final List<String> params;

    SpecTerm(SpecGrammar grammar, String text) {
        this.grammar = grammar;
        this.text = text;
        List<String> parts = List.of(text.split(":", -1));
        this.name = parts.get(0);
        this.params = parts.subList(1, parts.size());
    }

    /** The term's name, the text before the first colon. */
    public String name() {
        return name;
    }

    /** The colon-separated parameters after the name (empty strings kept, so {@code krum:} has one, empty). */
    public List<String> params() {
        return params;
    }

    /** The term as written. */
    public String text() {
        return text;
    }

    /** Everything after the name's colon, for a parameter with a grammar of its own; empty when there is none. */
    public String rest() {
        int colon = text.indexOf(':');
        return colon < 0 ? "" : text.substring(colon + 1);
    }

    /**
     * Requires exactly {@code count} parameters.
     *
     * @throws IllegalArgumentException {@code 'krum' takes 1 argument(s) (krum:F), got 0}
     */
    public SpecTerm expect(int count) {
        if (params.size() != count) {
            throw new IllegalArgumentException("'" + name + "' takes " + count + " argument(s) (" + grammar.formOf(name)
                    + "), got " + params.size());
        }
        return this;
    }

    /**
     * Parameter {@code index} as a number; {@code what} is its name in the forms (e.g. {@code ALPHA}).
     *
     * @throws IllegalArgumentException {@code ALPHA must be a number, got 'x'}
     */
    public double number(int index, String what) {
        String token = params.get(index);
        try {
            return Double.parseDouble(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, got '" + token + "'");
        }
    }

    /**
     * Parameter {@code index} as a whole number.
     *
     * @throws IllegalArgumentException {@code K must be a whole number, got '2.5'}
     */
    public int whole(int index, String what) {
        String token = params.get(index);
        try {
            return Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, got '" + token + "'");
        }
    }

    /** The error for a name this grammar does not know: {@code unknown partition 'zipf'}. */
    public IllegalArgumentException unknown() {
        return new IllegalArgumentException("unknown " + grammar.option() + " '" + name + "'");
    }
}
