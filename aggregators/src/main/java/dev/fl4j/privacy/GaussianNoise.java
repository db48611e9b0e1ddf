package dev.fl4j.privacy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * Gaussian noise for differential privacy, drawn from a {@link SecureRandom} — never from
 * {@link java.util.Random}, whose state an observer can recover from a few outputs and then
 * subtract the noise.
 *
 * <h2>Method</h2>
 * Uniform doubles in [0, 1) take the top 53 bits of 64 random bits; the bits come from
 * {@link SecureRandom#nextBytes} in blocks of {@value #BLOCK_BYTES} bytes, which is much faster than
 * one {@code nextDouble()} call per draw (each of which locks and refills the generator). Standard
 * normals come in pairs from Marsaglia's polar method: {@code u, v} uniform in (-1, 1), rejected
 * unless {@code 0 < s = u² + v² < 1}, then {@code u·√(-2 ln s / s)} and {@code v·√(-2 ln s / s)}
 * are independent {@code N(0, 1)}.
 *
 * <h2>Contract</h2>
 * Not thread-safe: use one instance per thread (each with its own {@code SecureRandom}). Draws are
 * not reproducible, by design. Noise is computed in double precision and rounded once when added
 * to a {@code float}. Floating-point Gaussian sampling is known to leak through the low-order bits
 * of its output (Mironov 2012, "On significance of the least significant bits for differential
 * privacy"); this class does not defend against that attack — a discrete Gaussian mechanism over
 * integers (as for secure aggregation) would.
 */
public final class GaussianNoise {

    /** Bytes taken from the {@code SecureRandom} per refill (512 uniform doubles). */
    static final int BLOCK_BYTES = 4096;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final double UNIT = 0x1.0p-53;

    private final SecureRandom random;
    private final byte[] block = new byte[BLOCK_BYTES];
    private int position = BLOCK_BYTES;
    private double spare;
    private boolean hasSpare;

    /** Noise from a new, self-seeded {@link SecureRandom} (the platform's default algorithm). */
    public GaussianNoise() {
        this(new SecureRandom());
    }

    /** Noise from {@code random}; this instance then owns it (do not share it across threads). */
    public GaussianNoise(SecureRandom random) {
        if (random == null) {
            throw new IllegalArgumentException("GaussianNoise needs a SecureRandom, got null");
        }
        this.random = random;
    }

    /** One draw from {@code N(0, 1)}. */
    public double nextStandardGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextUniform() - 1;
            v = 2 * nextUniform() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spare = v * m;
        hasSpare = true;
        return u * m;
    }

    /** One draw from {@code N(0, stddev²)}. */
    public double nextGaussian(double stddev) {
        checkStddev(stddev);
        return stddev * nextStandardGaussian();
    }

    /** Adds independent {@code N(0, stddev²)} noise to every element of {@code values}, in place. */
    public void addTo(float[] values, double stddev) {
        addTo(values, 0, values.length, stddev);
    }

    /** Adds independent {@code N(0, stddev²)} noise to {@code values[from..to)}, in place. */
    public void addTo(float[] values, int from, int to, double stddev) {
        checkStddev(stddev);
        checkRange(values.length, from, to);
        if (stddev == 0) {
            return;
        }
        for (int i = from; i < to; i++) {
            values[i] = (float) (values[i] + stddev * nextStandardGaussian());
        }
    }

    /** Adds independent {@code N(0, stddev²)} noise to every element of {@code values}, in place. */
    public void addTo(double[] values, double stddev) {
        addTo(values, 0, values.length, stddev);
    }

    /** Adds independent {@code N(0, stddev²)} noise to {@code values[from..to)}, in place. */
    public void addTo(double[] values, int from, int to, double stddev) {
        checkStddev(stddev);
        checkRange(values.length, from, to);
        if (stddev == 0) {
            return;
        }
        for (int i = from; i < to; i++) {
            values[i] += stddev * nextStandardGaussian();
        }
    }

    private double nextUniform() {
        if (position == BLOCK_BYTES) {
            random.nextBytes(block);
            position = 0;
        }
        long bits = (long) LONGS.get(block, position);
        position += Long.BYTES;
        return (bits >>> 11) * UNIT;
    }

    private static void checkStddev(double stddev) {
        if (!(stddev >= 0 && stddev < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noise standard deviation must be finite and >= 0, got " + stddev);
        }
    }

    private static void checkRange(int length, int from, int to) {
        if (from < 0 || to > length || from > to) {
            throw new IndexOutOfBoundsException(
                    "noise range [" + from + ", " + to + ") is outside an array of length " + length);
        }
    }
}
