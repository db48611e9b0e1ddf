package dev.fl4j.compression.internal;

import dev.fl4j.compression.EncodingStage;
import dev.fl4j.compression.SignalKind;
import dev.fl4j.compression.SignalShape;

/**
 * What every quantizer stage shares: floats in, one symbol per element out from a fixed alphabet of
 * {@link #levels} symbols, and no commuting with sums (the side information, a range or scale,
 * differs per client).
 */
abstract class QuantizerStage implements EncodingStage {

    /** The alphabet size of the output symbols. */
    final int levels;

    QuantizerStage(int levels) {
        this.levels = levels;
    }

    @Override
    public final SignalKind inputKind() {
        return SignalKind.FLOATS;
    }

    @Override
    public final SignalKind outputKind() {
        return SignalKind.SYMBOLS;
    }

    @Override
    public final boolean commutesWithSum() {
        return false;
    }

    @Override
    public final SignalShape outputShape(SignalShape input) {
        return SignalShape.symbols(input.length(), levels);
    }
}
