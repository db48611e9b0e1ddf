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
 * Packs symbols in {@code [0, L)} into {@code w = ceil(log2 L)} bits each ({@link BitPacker});
 * payload {@code ceil(n·w/8)} bytes; no side information.
 */
public final class BitPackingStage implements EncodingStage {

    public static final int ID = 4;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "bitpack";
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
        return SignalShape.bytes(BitPacker.packedBytes(input.length(), BitPacker.bitsFor(input.levels())));
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        int[] s = input.symbols();
        int levels = input.levels();
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0 || s[i] >= levels) {
                throw new IllegalArgumentException(
                        "bitpack: symbol " + s[i] + " at index " + i + " is outside [0," + levels + ")");
            }
        }
        return Signal.bytes(BitPacker.pack(s, s.length, BitPacker.bitsFor(levels)));
    }

    @Override
    public StageDecoder readSideInfo(ByteReader sideInfo, SignalShape input) {
        int n = input.length();
        int levels = input.levels();
        int bits = BitPacker.bitsFor(levels);
        int expected = BitPacker.packedBytes(n, bits);
        return output -> {
            byte[] b = output.bytes();
            if (b.length != expected) {
                throw new MalformedEncodingException("bitpack payload: expected " + expected + " bytes for " + n
                        + " symbols of " + bits + " bits, got " + b.length);
            }
            int[] s = new int[n];
            BitPacker.unpack(b, 0, n, bits, s, "bitpack payload");
            if (Integer.bitCount(levels) != 1) {
                for (int i = 0; i < n; i++) {
                    if (s[i] >= levels) {
                        throw new MalformedEncodingException(
                                "bitpack payload: symbol " + i + " is " + s[i] + ", out of range [0," + levels + ")");
                    }
                }
            }
            return Signal.symbols(s, levels);
        };
    }
}
