package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.EncodingStage;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalKind;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;
import java.util.Arrays;

/**
 * Lossless entropy coding of symbols with a static range asymmetric numeral system (rANS; Duda
 * 2013), byte-wise renormalization with a 32-bit state. Symbol frequencies are counted per tensor,
 * normalized to sum to {@code 2^16} (every present symbol at least 1), and sent as side
 * information: {@code L} unsigned LEB128 varints, one per symbol of the alphabet (0 for absent
 * symbols), so {@code L} to {@code 3L} bytes. Alphabets up to {@value #MAX_LEVELS} symbols.
 *
 * <p>Payload: the final encoder state as u32 little-endian, then the renormalization bytes in the
 * order the decoder consumes them. Decoding fails unless it consumes exactly all payload bytes and
 * ends in the initial state {@code 2^23}, which catches truncated, oversized and corrupted streams.
 */
public final class RansStage implements EncodingStage {

    public static final int ID = 9;
    public static final int MAX_LEVELS = 4096;
    static final int PROB_BITS = 16;
    static final int PROB_SCALE = 1 << PROB_BITS;
    static final long RANS_L = 1L << 23;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "rans";
    }

    @Override
    public SignalKind inputKind() {
        return SignalKind.SYMBOLS;
    }

    @Override
    public SignalKind outputKind() {
        return SignalKind.BYTES;
    }

    @Override
    public boolean commutesWithSum() {
        return false;
    }

    @Override
    public SignalShape outputShape(SignalShape input) {
        if (input.levels() > MAX_LEVELS) {
            throw new IllegalArgumentException("rANS entropy coding supports alphabets of up to " + MAX_LEVELS
                    + " symbols (12 bits), got " + input.levels());
        }
        return SignalShape.bytes(SignalShape.UNKNOWN_LENGTH);
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        outputShape(input.shape());
        int[] s = input.symbols();
        int levels = input.levels();
        int n = s.length;
        long[] counts = new long[levels];
        for (int i = 0; i < n; i++) {
            int v = s[i];
            if (v < 0 || v >= levels) {
                throw new IllegalArgumentException(
                        "rans: symbol " + v + " at index " + i + " is outside [0," + levels + ")");
            }
            counts[v]++;
        }
        int[] freq = normalize(counts, n);
        int[] cum = new int[levels + 1];
        for (int i = 0; i < levels; i++) {
            sideInfo.writeVarInt(freq[i]);
            cum[i + 1] = cum[i] + freq[i];
        }
        // Symbols are encoded last to first; output bytes are produced back to front.
        byte[] buf = new byte[2 * n + 8];
        int pos = buf.length;
        long[] xMax = new long[levels];
        long[] reciprocal = new long[levels];
        int[] shift = new int[levels];
        int[] complement = new int[levels];
        for (int v = 0; v < levels; v++) {
            int f = freq[v];
            xMax[v] = ((RANS_L >>> PROB_BITS) << 8) * f;
            if (f > 0) {
                shift[v] = reciprocalShift(f);
                reciprocal[v] = reciprocal(f);
                complement[v] = PROB_SCALE - f;
            }
        }
        int x = (int) RANS_L; // the state stays in [2^23, 2^31)
        for (int i = n - 1; i >= 0; i--) {
            int v = s[i];
            // Renormalize: emit the low byte while x >= xMax[v] (at most twice: x < 2^31, xMax >= 2^15).
            long limit = xMax[v];
            while (x >= limit) {
                buf[--pos] = (byte) x;
                x >>>= 8;
            }
            // x / f without a division, which would sit on the state's dependency chain
            int quotient = (int) ((x * reciprocal[v]) >>> shift[v]);
            // (quotient << PROB_BITS) + (x mod f) + cum[v]
            x += cum[v] + quotient * complement[v];
        }
        buf[--pos] = (byte) (x >>> 24);
        buf[--pos] = (byte) (x >>> 16);
        buf[--pos] = (byte) (x >>> 8);
        buf[--pos] = (byte) x;
        return Signal.bytes(Arrays.copyOfRange(buf, pos, buf.length));
    }

    /**
     * {@code ceil(2^(31+c) / f)} with {@code c = ceil(log2 f)}, for 1 <= f <= 2^16: then
     * {@code x / f == (x · reciprocal(f)) >>> reciprocalShift(f)} for every 0 <= x < 2^31, and the
     * product stays below 2^63 (the reciprocal is at most 2^32). Exact because the reciprocal's
     * rounding error, at most {@code x / 2^(31+c) < 2^-c <= 1/f}, cannot carry the quotient past the
     * next multiple.
     */
    static long reciprocal(int f) {
        return ((1L << reciprocalShift(f)) + f - 1) / f;
    }

    /** {@code 31 + ceil(log2 f)}, see {@link #reciprocal}. */
    static int reciprocalShift(int f) {
        return 31 + 32 - Integer.numberOfLeadingZeros(f - 1);
    }

    /** Frequencies summing to PROB_SCALE, at least 1 for every present symbol, roughly proportional to counts. */
    static int[] normalize(long[] counts, int n) {
        int levels = counts.length;
        int[] freq = new int[levels];
        if (n == 0) {
            freq[0] = PROB_SCALE;
            return freq;
        }
        int present = 0;
        int largest = 0;
        for (int i = 0; i < levels; i++) {
            if (counts[i] > 0) {
                present++;
            }
            if (counts[i] > counts[largest]) {
                largest = i;
            }
        }
        long spare = PROB_SCALE - present;
        int sum = 0;
        for (int i = 0; i < levels; i++) {
            if (counts[i] > 0) {
                freq[i] = 1 + (int) (counts[i] * spare / n);
                sum += freq[i];
            }
        }
        freq[largest] += PROB_SCALE - sum;
        return freq;
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        int n = input.length();
        int levels = input.levels();
        int start = in.position();
        int[] freq = new int[levels];
        int[] cum = new int[levels + 1];
        for (int i = 0; i < levels; i++) {
            int f = in.readVarInt("rANS frequency of symbol " + i);
            if (f > PROB_SCALE - cum[i]) {
                throw new MalformedEncodingException(
                        "rANS frequency table at offset " + start + " sums past " + PROB_SCALE + " at symbol " + i);
            }
            freq[i] = f;
            cum[i + 1] = cum[i] + f;
        }
        if (cum[levels] != PROB_SCALE) {
            throw new MalformedEncodingException(
                    "rANS frequency table at offset " + start + " sums to " + cum[levels] + ", expected " + PROB_SCALE);
        }
        return output -> decode(output.bytes(), n, levels, freq, cum);
    }

    private static Signal decode(byte[] b, int n, int levels, int[] freq, int[] cum) {
        if (b.length < 4) {
            throw new MalformedEncodingException("rANS payload: expected at least 4 bytes of state, got " + b.length);
        }
        long first = (b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24;
        if (first < RANS_L || first >= RANS_L << 8) {
            throw new MalformedEncodingException("rANS payload: initial state " + first + " is outside [2^23, 2^31)");
        }
        int x = (int) first;
        int[] s = new int[n];
        int end = b.length;
        // Two zero bytes past the end: renormalization reads at most two bytes per symbol, branch-free,
        // and reading past the real end is caught after the symbol.
        byte[] in = Arrays.copyOf(b, end + 2);
        int pos = 4;
        if (levels <= 4) {
            // No table: a 64 KiB slot table does not fit in L1, and its load would sit on the
            // state's dependency chain; three comparisons against the cumulative frequencies do not.
            int c1 = levels > 1 ? cum[1] : PROB_SCALE;
            int c2 = levels > 2 ? cum[2] : PROB_SCALE;
            int c3 = levels > 3 ? cum[3] : PROB_SCALE;
            for (int i = 0; i < n; i++) {
                int slot = x & (PROB_SCALE - 1);
                int v = ((c1 - 1 - slot) >>> 31) + ((c2 - 1 - slot) >>> 31) + ((c3 - 1 - slot) >>> 31);
                s[i] = v;
                x = freq[v] * (x >>> PROB_BITS) + slot - cum[v];
                if (x < RANS_L) {
                    x = x << 8 | (in[pos++] & 0xFF);
                    if (x < RANS_L) {
                        x = x << 8 | (in[pos++] & 0xFF);
                    }
                    if (pos > end) {
                        throw truncated(end, i, n);
                    }
                }
            }
        } else if (levels <= 256) {
            byte[] slotToSymbol = new byte[PROB_SCALE];
            for (int v = 0; v < levels; v++) {
                Arrays.fill(slotToSymbol, cum[v], cum[v + 1], (byte) v);
            }
            for (int i = 0; i < n; i++) {
                int slot = x & (PROB_SCALE - 1);
                int v = slotToSymbol[slot] & 0xFF;
                s[i] = v;
                x = freq[v] * (x >>> PROB_BITS) + slot - cum[v];
                if (x < RANS_L) {
                    x = x << 8 | (in[pos++] & 0xFF);
                    if (x < RANS_L) {
                        x = x << 8 | (in[pos++] & 0xFF);
                    }
                    if (pos > end) {
                        throw truncated(end, i, n);
                    }
                }
            }
        } else {
            short[] slotToSymbol = new short[PROB_SCALE];
            for (int v = 0; v < levels; v++) {
                Arrays.fill(slotToSymbol, cum[v], cum[v + 1], (short) v);
            }
            for (int i = 0; i < n; i++) {
                int slot = x & (PROB_SCALE - 1);
                int v = slotToSymbol[slot] & 0xFFFF;
                s[i] = v;
                x = freq[v] * (x >>> PROB_BITS) + slot - cum[v];
                if (x < RANS_L) {
                    x = x << 8 | (in[pos++] & 0xFF);
                    if (x < RANS_L) {
                        x = x << 8 | (in[pos++] & 0xFF);
                    }
                    if (pos > end) {
                        throw truncated(end, i, n);
                    }
                }
            }
        }
        if (pos != end) {
            throw new MalformedEncodingException(
                    "rANS payload: " + (end - pos) + " bytes left over after decoding " + n + " symbols");
        }
        if (x != RANS_L) {
            throw new MalformedEncodingException("rANS payload: final state " + x + " is not the initial state "
                    + RANS_L + "; the stream is corrupt");
        }
        return Signal.symbols(s, levels);
    }

    private static MalformedEncodingException truncated(int length, int symbol, int n) {
        return new MalformedEncodingException(
                "rANS payload: truncated after " + length + " bytes while decoding symbol " + symbol + " of " + n);
    }
}
