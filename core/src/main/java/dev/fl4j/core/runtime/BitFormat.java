package dev.fl4j.core.runtime;

import java.util.Locale;

/**
 * Formats bit counts as TFF's tutorials do: binary prefixes, two decimals, the largest unit that
 * keeps the number below 1024 — {@code 507.62Mibit}, {@code 1015.24Mibit}, {@code 1.49Gibit} — and
 * memory sizes in bytes alike ({@link #formatBytes}).
 */
public final class BitFormat {

    private static final String[] UNITS = {"bit", "Kibit", "Mibit", "Gibit", "Tibit", "Pibit"};

    private BitFormat() {}

    public static String format(long bits) {
        int unit = binaryUnit(bits, UNITS.length - 1);
        return String.format(Locale.ROOT, "%.2f%s", bits / Math.pow(1024, unit), UNITS[unit]);
    }

    private static final String[] BYTE_UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB"};

    /**
     * A memory size in bytes, one decimal with binary prefixes: {@code 2.3 KiB}, {@code 6.3 MiB}; {@code 512 bytes}.
     */
    public static String formatBytes(double bytes) {
        int unit = binaryUnit(bytes, BYTE_UNITS.length - 1);
        return unit == 0
                ? String.format(Locale.ROOT, "%.0f bytes", bytes)
                : String.format(Locale.ROOT, "%.1f %s", bytes / Math.pow(1024, unit), BYTE_UNITS[unit]);
    }

    /** How many times 1024 divides into {@code size} while it stays at least 1024, at most {@code largest}. */
    private static int binaryUnit(double size, int largest) {
        int unit = 0;
        while (size >= 1024.0 && unit < largest) {
            size /= 1024.0;
            unit++;
        }
        return unit;
    }
}
