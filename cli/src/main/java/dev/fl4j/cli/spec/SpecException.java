package dev.fl4j.cli.spec;

/**
 * An option value the command line's grammar does not accept. The message names the option, the
 * value as written, what is wrong with it (the bad token in quotes) and the valid forms, e.g.
 * {@code partition 'dirichlet:x': ALPHA must be a number, got 'x'; valid forms: iid, dirichlet:ALPHA, ...}.
 */
public final class SpecException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String option;
    private final String spec;

    SpecException(String option, String spec, String why, String validForms) {
        super(option + " '" + spec + "': " + why + "; valid forms: " + validForms);
        this.option = option;
        this.spec = spec;
    }

    /** The option whose value this is, e.g. {@code aggregator}. */
    public String option() {
        return option;
    }

    /** The value as it was written. */
    public String spec() {
        return spec;
    }
}
