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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Serializes floats as raw IEEE 754 float32, little-endian, 4 bytes each; lossless; no side information. */
public final class Float32Stage implements EncodingStage {

    public static final int ID = 2;
    private static final VarHandle FLOAT_LE =
            MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "float32";
    }

    @Override
    public SignalKind inputKind() {
        return SignalKind.FLOATS;
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
        if (input.length() > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("float32 stage: " + input.length() + " floats exceed 2^31 bytes");
        }
        return SignalShape.bytes(4 * input.length());
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] v = input.floats();
        byte[] out = new byte[4 * v.length];
        for (int i = 0; i < v.length; i++) {
            FLOAT_LE.set(out, 4 * i, v[i]);
        }
        return Signal.bytes(out);
    }

    @Override
    public StageDecoder readSideInfo(ByteReader sideInfo, SignalShape input) {
        int n = input.length();
        return output -> {
            byte[] b = output.bytes();
            if (b.length != 4 * n) {
                throw new MalformedEncodingException(
                        "float32 payload: expected " + 4L * n + " bytes for " + n + " floats, got " + b.length);
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) FLOAT_LE.get(b, 4 * i);
                if (!Float.isFinite(v[i])) {
                    throw new MalformedEncodingException(
                            "float32 payload: element " + i + " is " + v[i] + "; encoders only write finite values");
                }
            }
            return Signal.floats(v);
        };
    }
}
