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
            throw new IllegalArgumentException("rANS entropy coding supports alphabets of up to " + MAX_LEVELS + " symbols (12 bits), got "
                    + input.levels());
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
                throw new IllegalArgumentException("rans: symbol " + v + " at index " + i + " is outside [0," + levels + ")");
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
        for (int v = 0; v < levels; v++) {
            xMax[v] = ((RANS_L >>> PROB_BITS) << 8) * freq[v];
        }
        int x = (int) RANS_L; // the state stays in [2^23, 2^31)
        for (int i = n - 1; i >= 0; i--) {
            int v = s[i];
            int f = freq[v];
            long limit = xMax[v];
            while (x >= limit) {
                buf[--pos] = (byte) x;
                x >>>= 8;
            }
            int quotient = x / f;
            x = (quotient << PROB_BITS) + (x - quotient * f) + cum[v];
        }
        buf[--pos] = (byte) (x >>> 24);
        buf[--pos] = (byte) (x >>> 16);
        buf[--pos] = (byte) (x >>> 8);
        buf[--pos] = (byte) x;
        byte[] out = new byte[buf.length - pos];
        System.arraycopy(buf, pos, out, 0, out.length);
        return Signal.bytes(out);
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
                throw new MalformedEncodingException("rANS frequency table at offset " + start + " sums past " + PROB_SCALE + " at symbol " + i);
            }
            freq[i] = f;
            cum[i + 1] = cum[i] + f;
        }
        if (cum[levels] != PROB_SCALE) {
            throw new MalformedEncodingException("rANS frequency table at offset " + start + " sums to " + cum[levels] + ", expected " + PROB_SCALE);
        }
        return output -> decode(output.bytes(), n, levels, freq, cum);
    }

    private static Signal decode(byte[] b, int n, int levels, int[] freq, int[] cum) {
        if (b.length < 4) {
            throw new MalformedEncodingException("rANS payload: expected at least 4 bytes of state, got " + b.length);
        }
        short[] slotToSymbol = new short[PROB_SCALE];
        for (int v = 0; v < levels; v++) {
            for (int slot = cum[v]; slot < cum[v + 1]; slot++) {
                slotToSymbol[slot] = (short) v;
            }
        }
        long x = (b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24;
        if (x < RANS_L || x >= RANS_L << 8) {
            throw new MalformedEncodingException("rANS payload: initial state " + x + " is outside [2^23, 2^31)");
        }
        int pos = 4;
        int[] s = new int[n];
        int mask = PROB_SCALE - 1;
        for (int i = 0; i < n; i++) {
            int slot = (int) (x & mask);
            int v = slotToSymbol[slot] & 0xFFFF;
            s[i] = v;
            x = freq[v] * (x >>> PROB_BITS) + slot - cum[v];
            while (x < RANS_L) {
                if (pos >= b.length) {
                    throw new MalformedEncodingException("rANS payload: truncated after " + b.length + " bytes while decoding symbol " + i + " of " + n);
                }
                x = (x << 8) | (b[pos++] & 0xFF);
            }
        }
        if (pos != b.length) {
            throw new MalformedEncodingException("rANS payload: " + (b.length - pos) + " bytes left over after decoding " + n + " symbols");
        }
        if (x != RANS_L) {
            throw new MalformedEncodingException("rANS payload: final state " + x + " is not the initial state " + RANS_L + "; the stream is corrupt");
        }
        return Signal.symbols(s, levels);
    }
}
