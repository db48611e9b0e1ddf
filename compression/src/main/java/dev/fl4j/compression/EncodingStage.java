package dev.fl4j.compression;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;

/**
 * One reversible step of a {@link TensorEncoder} chain, TFF's {@code EncodingStageInterface} and
 * {@code AdaptiveEncodingStageInterface} in one: it turns an input {@link Signal} into an output
 * signal plus side information written to a {@link ByteWriter}, and builds a decoder from that side
 * information that turns the output back into (an estimate of) the input.
 *
 * <p><b>Shapes.</b> A stage declares the kind it accepts ({@link #inputKind()}) and produces
 * ({@link #outputKind()}), and computes its output shape from its input shape and configuration
 * ({@link #outputShape}); the output shape must not depend on the data, except for the length of a
 * {@link SignalKind#BYTES} output, which may be {@link SignalShape#UNKNOWN_LENGTH}. A stage whose
 * output is bytes must be the last of its chain; its decoder receives all remaining bytes of the
 * encoded tensor and must reject too few or too many.
 *
 * <p><b>Side information</b> is written in chain order after the header and before the payload; a
 * stage's {@link #readSideInfo} must read exactly what its {@link #encode} wrote and validate it
 * (ranges, bit widths, indices), throwing {@link MalformedEncodingException} for anything it could
 * not have written. Document its byte layout and size so encoded sizes can be pinned exactly.
 *
 * <p><b>Randomness</b> comes only from {@link StageContext#seed()}: the same input, seed and state
 * must give the same bytes. A decoder that needs the randomness (a rotation, random indices)
 * stores the seed in its side information.
 *
 * <p><b>State</b> (optional) is carried across rounds by the caller, e.g. on a client: the error
 * feedback residual of a sparsifier. {@link #initialState} gives the state before the first round
 * (an empty structure for stateless stages), {@link StageContext#state()} the current one during
 * encoding, and {@link StageContext#updateState} the next one. States are immutable values.
 *
 * <p><b>Ids.</b> {@link #id()} is written into every encoded header. Ids 1-127 belong to the stages
 * of {@link Stages}; user stages use 128-255.
 */
public interface EncodingStage {

    /** First id available to user-defined stages. */
    int FIRST_USER_ID = 128;

    /** The id written into headers, 1-255. */
    int id();

    /** A short name with the configuration, e.g. {@code uniform(8)}. */
    String name();

    SignalKind inputKind();

    SignalKind outputKind();

    /**
     * Whether decoding is linear in the encoded values given the same side information, so that
     * encoded values (of clients that share side information) may be summed before decoding, as TFF's
     * {@code commutes_with_sum}.
     */
    boolean commutesWithSum();

    /** The output shape for an input of shape {@code input} (of {@link #inputKind()}). */
    SignalShape outputShape(SignalShape input);

    /** State before the first round for an input of shape {@code input}; empty for stateless stages. */
    default Value initialState(SignalShape input) {
        return Struct.empty();
    }

    /** Encodes {@code input}, writing side information to {@code sideInfo}. */
    Signal encode(Signal input, StageContext context, ByteWriter sideInfo);

    /**
     * Reads and validates the side information {@link #encode} wrote for an input of shape
     * {@code input}, and returns the decoder for this tensor.
     *
     * @throws MalformedEncodingException if the side information is truncated or inconsistent
     */
    StageDecoder readSideInfo(ByteReader sideInfo, SignalShape input);
}
