package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;

/**
 * A quantizer that, when {@link BitPackingStage} follows it in a chain, goes from floats straight to
 * the packed bytes and back in one pass, without the intermediate symbol array: the
 * {@link dev.fl4j.compression.TensorEncoder} fuses the two stages. The fused path is an optimization
 * only: it writes the same side information, produces the same bytes and decodes to the same floats
 * as the two stages one after the other, and rejects the same malformed payloads with the same
 * messages (see {@link BitPacker#checkPacked}).
 */
public interface PackedQuantizer {

    /** {@code bitPacking.encode(this.encode(input, ...))} in one pass. */
    Signal encodePacked(Signal input, StageContext context, ByteWriter sideInfo);

    /**
     * Reads this stage's side information as {@link dev.fl4j.compression.EncodingStage#readSideInfo} does; the
     * decoder takes the packed bytes and returns what this stage's decoder returns for the unpacked symbols.
     */
    StageDecoder readSideInfoPacked(ByteReader sideInfo, SignalShape input);
}
