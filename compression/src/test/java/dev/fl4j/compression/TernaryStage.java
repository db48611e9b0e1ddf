package dev.fl4j.compression;

/**
 * A user-defined stage written against the public API only (id 200): three levels {-s, 0, +s} with
 * s = max |x|, rounding to nearest. Side information: f32 s.
 */
class TernaryStage implements EncodingStage {

    @Override
    public int id() {
        return 200;
    }

    @Override
    public String name() {
        return "ternary";
    }

    @Override
    public SignalKind inputKind() {
        return SignalKind.FLOATS;
    }

    @Override
    public SignalKind outputKind() {
        return SignalKind.SYMBOLS;
    }

    @Override
    public boolean commutesWithSum() {
        return false;
    }

    @Override
    public SignalShape outputShape(SignalShape input) {
        return SignalShape.symbols(input.length(), 3);
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] x = input.floats();
        float s = 0;
        for (float v : x) {
            s = Math.max(s, Math.abs(v));
        }
        sideInfo.writeFloat(s);
        int[] q = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            q[i] = s == 0 ? 1 : (int) Math.round(x[i] / s) + 1;
        }
        return Signal.symbols(q, 3);
    }

    @Override
    public StageDecoder readSideInfo(ByteReader in, SignalShape input) {
        float s = in.readFloat("ternary scale");
        return out -> {
            int[] q = out.symbols();
            float[] x = new float[q.length];
            for (int i = 0; i < q.length; i++) {
                x[i] = (q[i] - 1) * s;
            }
            return Signal.floats(x);
        };
    }
}
