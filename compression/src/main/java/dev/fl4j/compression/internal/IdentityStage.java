package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.EncodingStage;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalKind;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;

/** Passes floats through unchanged; no side information. */
public final class IdentityStage implements EncodingStage {

    public static final int ID = 1;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "identity";
    }

    @Override
    public SignalKind inputKind() {
        return SignalKind.FLOATS;
    }

    @Override
    public SignalKind outputKind() {
        return SignalKind.FLOATS;
    }

    @Override
    public boolean commutesWithSum() {
        return true;
    }

    @Override
    public SignalShape outputShape(SignalShape input) {
        return input;
    }

    @Override
    public Signal encode(Signal input, StageContext context, ByteWriter sideInfo) {
        return input;
    }

    @Override
    public StageDecoder readSideInfo(ByteReader sideInfo, SignalShape input) {
        return output -> output;
    }
}
