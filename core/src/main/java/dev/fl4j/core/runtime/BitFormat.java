package dev.fl4j.core.runtime;

import java.util.Locale;

/**
 * Formats bit counts as TFF's tutorials do: binary prefixes, two decimals, the largest unit that
 * keeps the number below 1024 — {@code 507.62Mibit}, {@code 1015.24Mibit}, {@code 1.49Gibit}.
 */
public final class BitFormat {

    private static final String[] UNITS = {"bit", "Kibit", "Mibit", "Gibit", "Tibit", "Pibit"};

    private BitFormat() {
    }

    public static String format(long bits) {
        double size = bits;
        int unit = 0;
        while (size >= 1024.0 && unit < UNITS.length - 1) {
            size /= 1024.0;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", size, UNITS[unit]);
    }
}
