package dev.fl4j.core.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small mutation fuzzer for fl4j's parsers, shared by every module's {@code *FuzzTest} (they run in
 * surefire's {@code fuzz} execution with a 256 MiB heap, so an allocation sized by a hostile length
 * field fails the test instead of passing on a big machine).
 *
 * <p>From a corpus of valid inputs it derives: every truncation of each seed (all of them for short
 * seeds, an even spread for long ones), random bit flips, bytes overwritten with extremes, 2-, 4- and
 * 8-byte fields overwritten with huge, negative and boundary values in both byte orders, ranges
 * duplicated or deleted, seeds spliced together, and plain random bytes. Each input goes to the
 * parser; it must either return or throw one of the expected exception types. Anything else (an
 * unexpected runtime exception, {@link OutOfMemoryError}, {@link StackOverflowError}) is an escape.
 * The run prints {@code fuzz NAME: N inputs, E escapes} and fails with the first escapes (their input
 * in hex) if there were any.
 *
 * <p>The generator is seeded (system property {@code fl4j.fuzz.seed}, default fixed), so a failure
 * reproduces; {@code fl4j.fuzz.scale} multiplies the input counts for a longer local run.
 */
public final class Fuzz {

    /** The code under test: parse {@code input}, throwing only the expected exception types. */
    @FunctionalInterface
    public interface Parser {
        void parse(byte[] input) throws Exception;
    }

    private static final long[] HOSTILE = {
        0,
        1,
        -1,
        0x7F,
        0x80,
        0xFF,
        0x7FFF,
        0x8000,
        0xFFFF,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        0xFFFF_FFFFL,
        1L << 31,
        1L << 32,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        1L << 62,
        50_000_000,
        1 << 20
    };

    private final String name;
    private final List<byte[]> seeds = new ArrayList<>();
    private final List<Class<? extends Throwable>> expected = new ArrayList<>();
    private final SplittableRandom random;
    private int inputs = 5_000;
    private int truncationLimit = 2_000;

    private Fuzz(String name) {
        this.name = name;
        this.random = new SplittableRandom(Long.getLong("fl4j.fuzz.seed", 0x5EEDF022L) ^ name.hashCode());
    }

    /** A fuzz run named as it will be printed, e.g. {@code "codec"}. */
    public static Fuzz named(String name) {
        return new Fuzz(name);
    }

    /** Adds a valid input to mutate. */
    public Fuzz seed(byte[] valid) {
        seeds.add(valid.clone());
        return this;
    }

    /** The exception types the parser may throw on bad input (subclasses included). */
    @SafeVarargs
    public final Fuzz expecting(Class<? extends Throwable>... types) {
        expected.addAll(List.of(types));
        return this;
    }

    /** How many mutated inputs to try besides the truncations (scaled by {@code fl4j.fuzz.scale}). */
    public Fuzz inputs(int count) {
        this.inputs = count;
        return this;
    }

    /** At most this many truncations per seed (evenly spread when a seed is longer). */
    public Fuzz truncations(int limit) {
        this.truncationLimit = limit;
        return this;
    }

    /** Runs the campaign; returns the number of inputs tried, or throws with the escapes. */
    public int run(Parser parser) {
        if (expected.isEmpty()) {
            throw new IllegalStateException("fuzz " + name + ": say which exceptions the parser may throw");
        }
        List<String> escapes = new ArrayList<>();
        int escaped = 0;
        int tried = 0;
        for (byte[] input : truncationsOfSeeds()) {
            escaped += tryOne(parser, input, escapes);
            tried++;
        }
        int count = (int) Math.round(inputs * Double.parseDouble(System.getProperty("fl4j.fuzz.scale", "1")));
        for (int i = 0; i < count; i++) {
            escaped += tryOne(parser, mutate(), escapes);
            tried++;
        }
        System.out.println("fuzz " + name + ": " + tried + " inputs, " + escaped + " escapes");
        if (escaped > 0) {
            throw new AssertionError("fuzz " + name + ": " + escaped + " of " + tried + " inputs escaped:\n"
                    + String.join("\n", escapes));
        }
        return tried;
    }

    private int tryOne(Parser parser, byte[] input, List<String> escapes) {
        try {
            parser.parse(input);
            return 0;
        } catch (Throwable t) {
            for (Class<? extends Throwable> type : expected) {
                if (type.isInstance(t)) {
                    return 0;
                }
            }
            if (escapes.size() < 5) {
                escapes.add("  " + t + " (" + where(t) + ") on " + input.length + " bytes: " + hex(input));
            }
            return 1;
        }
    }

    private static String where(Throwable t) {
        StackTraceElement[] trace = t.getStackTrace();
        return trace.length == 0 ? "no stack" : trace[0].toString();
    }

    private static String hex(byte[] input) {
        byte[] head = input.length <= 96 ? input : java.util.Arrays.copyOf(input, 96);
        return HexFormat.of().formatHex(head) + (input.length > 96 ? "..." : "");
    }

    private List<byte[]> truncationsOfSeeds() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] seed : seeds) {
            int step = Math.max(1, seed.length / truncationLimit);
            for (int len = 0; len < seed.length; len += step) {
                out.add(java.util.Arrays.copyOf(seed, len));
            }
        }
        return out;
    }

    /** One mutated input: a seed with one to four mutations, or random bytes. */
    byte[] mutate() {
        if (seeds.isEmpty() || random.nextInt(20) == 0) {
            byte[] b = new byte[random.nextInt(512)];
            random.nextBytes(b);
            return b;
        }
        byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            b = mutateOnce(b);
        }
        return b;
    }

    private byte[] mutateOnce(byte[] b) {
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        switch (random.nextInt(7)) {
            case 0 -> {
                int bit = random.nextInt(b.length * 8);
                b[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            case 1 -> b[random.nextInt(b.length)] = (byte) HOSTILE[random.nextInt(6)];
            case 2 -> b = overwriteField(b);
            case 3 -> b = duplicateRange(b);
            case 4 -> b = deleteRange(b);
            case 5 -> b = splice(b);
            default -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
        }
        return b;
    }

    private byte[] overwriteField(byte[] b) {
        int width = new int[] {2, 4, 8}[random.nextInt(3)];
        if (b.length < width) {
            return b;
        }
        int at = random.nextInt(b.length - width + 1);
        long v = HOSTILE[random.nextInt(HOSTILE.length)];
        ByteBuffer buf = ByteBuffer.wrap(b, at, width)
                .order(random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        switch (width) {
            case 2 -> buf.putShort((short) v);
            case 4 -> buf.putInt((int) v);
            default -> buf.putLong(v);
        }
        return b;
    }

    private byte[] duplicateRange(byte[] b) {
        int from = random.nextInt(b.length);
        int len = 1 + random.nextInt(Math.min(64, b.length - from));
        int copies = 1 + random.nextInt(random.nextInt(8) == 0 ? 2_000 : 4);
        if ((long) b.length + (long) len * copies > 1 << 20) {
            return b;
        }
        byte[] out = new byte[b.length + len * copies];
        System.arraycopy(b, 0, out, 0, from + len);
        for (int c = 1; c <= copies; c++) {
            System.arraycopy(b, from, out, from + len * c, len);
        }
        System.arraycopy(b, from + len, out, from + len * (copies + 1), b.length - from - len);
        return out;
    }

    private byte[] deleteRange(byte[] b) {
        int from = random.nextInt(b.length);
        int len = 1 + random.nextInt(Math.min(32, b.length - from));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, from + len, out, from, b.length - from - len);
        return out;
    }

    private byte[] splice(byte[] b) {
        byte[] other = seeds.get(random.nextInt(seeds.size()));
        int cut = random.nextInt(b.length + 1);
        int otherCut = random.nextInt(other.length + 1);
        byte[] out = new byte[cut + other.length - otherCut];
        System.arraycopy(b, 0, out, 0, cut);
        System.arraycopy(other, otherCut, out, cut, other.length - otherCut);
        return out;
    }

    /** {@code depth} copies of {@code open}, then {@code inner}, then {@code depth} copies of {@code close}. */
    public static byte[] nested(byte[] open, byte[] inner, byte[] close, int depth) {
        ByteBuffer buf = ByteBuffer.allocate(depth * (open.length + close.length) + inner.length);
        for (int i = 0; i < depth; i++) {
            buf.put(open);
        }
        buf.put(inner);
        for (int i = 0; i < depth; i++) {
            buf.put(close);
        }
        return buf.array();
    }
}
