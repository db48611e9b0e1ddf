package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.MalformedEncodingException;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;

/**
 * One bit per element, the sign, plus one scale: the quantizer of DRIVE (Vargaftik et al. 2021),
 * meant to follow a random rotation. Symbol 1 means {@code +scale}, 0 means {@code -scale}. The
 * bias-corrected scale {@code ||y||²/||y||₁} makes the reconstruction's projection on the input
 * exact ({@code <ŷ, y> = ||y||²}), which after a uniformly random rotation makes the estimate
 * unbiased; the MSE-optimal scale {@code ||y||₁/n} is biased. Side information, 4 bytes: f32 scale.
 */
public final class SignStage extends QuantizerStage {

    public static final int ID = 8;
    public static final int SIDE_INFO_BYTES = 4;

    private final boolean unbiased;

    public SignStage(boolean unbiased) {
        super(2);
        this.unbiased = unbiased;
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return unbiased ? "sign(unbiased)" : "sign(mse)";
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] y = input.floats();
        int[] s = new int[y.length];
        double l1 = 0;
        double l2 = 0;
        for (int i = 0; i < y.length; i++) {
            float v = y[i];
            s[i] = v >= 0 ? 1 : 0;
            l1 += Math.abs(v);
            l2 += (double) v * v;
        }
        double scale = l1 == 0 ? 0 : unbiased ? l2 / l1 : l1 / y.length;
        sideInfo.writeFloat((float) scale);
        return Signal.symbols(s, 2);
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        int at = in.position();
        float scale = in.readFloat("sign scale");
        if (!Float.isFinite(scale) || scale < 0) {
            throw new MalformedEncodingException(
                    "sign scale at offset " + at + " is " + scale + ", expected a finite value >= 0");
        }
        return output -> {
            int[] s = output.symbols();
            float[] y = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                // +scale for symbol 1, -scale for 0; copySign is branch-free, and the signs are random
                y[i] = Math.copySign(scale, s[i] - 0.5f);
            }
            return Signal.floats(y);
        };
    }
}
