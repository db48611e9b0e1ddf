package dev.fl4j.examples;

import java.util.Arrays;

/**
 * An example's optional positional arguments, all positive integers, e.g.
 * {@code [ROUNDS [CLIENTS_PER_ROUND [EXAMPLES_PER_CLIENT]]]}: the ones given replace the leading
 * defaults, the rest keep theirs. A value that is not a positive integer, or one argument too many,
 * fails with the example's name, the argument's name and what came.
 */
final class ExampleArgs {

    private ExampleArgs() {}

    /** The values of the arguments {@code names}, from {@code args} where given, else from {@code defaults}. */
    static int[] parse(String example, String[] args, String[] names, int[] defaults) {
        if (args.length > names.length) {
            throw new IllegalArgumentException(example + " takes at most " + names.length + " arguments " + usage(names)
                    + ", got " + args.length + ": " + String.join(" ", args));
        }
        int[] values = defaults.clone();
        for (int i = 0; i < args.length; i++) {
            int v;
            try {
                v = Integer.parseInt(args[i]);
            } catch (NumberFormatException e) {
                v = 0;
            }
            if (v <= 0) {
                throw new IllegalArgumentException(
                        example + ": " + names[i] + " must be a positive integer, got '" + args[i] + "'");
            }
            values[i] = v;
        }
        return values;
    }

    /** {@code [A [B [C]]]}. */
    static String usage(String[] names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(sb.length() == 0 ? "[" : " [").append(n);
        }
        char[] close = new char[names.length];
        Arrays.fill(close, ']');
        return sb.append(close).toString();
    }
}
