package dev.fl4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command-line options of a benchmark's {@code main}: {@code --name value} or
 * {@code --name=value}. Every option must be one the benchmark knows, and each value is parsed
 * when it is read, so a typo or a bad number fails with a message naming the option.
 */
public final class BenchArgs {

    private final String command;
    private final Map<String, String> values;

    private BenchArgs(String command, Map<String, String> values) {
        this.command = command;
        this.values = values;
    }

    /**
     * Parses {@code args} for {@code command}, accepting only the options in {@code known}.
     *
     * @throws IllegalArgumentException for an unknown option, a repeated one, or one without a value
     */
    public static BenchArgs parse(String command, Set<String> known, String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException(command + ": expected an option --name, got '" + a + "'; options: " + known);
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq >= 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                name = a.substring(2);
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(command + ": option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (!known.contains(name)) {
                throw new IllegalArgumentException(command + ": unknown option --" + name + "; options: " + known);
            }
            if (values.put(name, value) != null) {
                throw new IllegalArgumentException(command + ": option --" + name + " given twice");
            }
        }
        return new BenchArgs(command, values);
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " must be a whole number, got '" + v + "'");
        }
    }

    public long longValue(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " must be a whole number, got '" + v + "'");
        }
    }

    public float real(String name, float fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            float f = Float.parseFloat(v.trim());
            if (!Float.isFinite(f)) {
                throw new NumberFormatException();
            }
            return f;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " must be a finite number, got '" + v + "'");
        }
    }
}
