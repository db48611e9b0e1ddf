package dev.fl4j.compression.internal;

import dev.fl4j.compression.ByteReader;
import dev.fl4j.compression.ByteWriter;
import dev.fl4j.compression.Signal;
import dev.fl4j.compression.SignalShape;
import dev.fl4j.compression.StageContext;
import dev.fl4j.compression.StageDecoder;

/**
 * A {@link PackedQuantizer} that can also take its input one rotation block at a time, so that a
 * {@link HadamardStage} in front of it rotates each block into a small scratch array that the quantizer consumes at
 * once, instead of materializing the whole rotated tensor (and, decoding, the whole dequantized one): the
 * {@link dev.fl4j.compression.TensorEncoder} fuses the three stages hadamard, quantizer and bit packing (four with a
 * {@link StrideStage} after the rotation, through {@link StrideStage#over}). Same side information in the same order,
 * same bytes, same floats, same rejections as the stages one after the other.
 */
public interface BlockQuantizer extends PackedQuantizer {

    /** Whether rotation blocks of {@code block} elements, {@code m} in all, suit this quantizer's own blocks. */
    boolean takesBlocks(int block, int m);

    /** Starts encoding {@code m} elements: writes any leading side information now, the rest in {@link Sink#finish}. */
    Sink startPacked(int m, ByteWriter sideInfo);

    /** Encodes and packs the whole tensor through {@link #startPacked}, in one run. */
    @Override
    default Signal encodePacked(Signal input, StageContext context, ByteWriter sideInfo) {
        float[] x = input.floats();
        Sink sink = startPacked(x.length, sideInfo);
        sink.accept(x, 0, 0, x.length);
        return Signal.bytes(sink.finish());
    }

    /** Reads this stage's side information as {@code readSideInfo} does; returns the source of its decoded floats. */
    Source readSideInfoSource(ByteReader sideInfo, SignalShape input);

    /** Decodes the packed payload through {@link #readSideInfoSource}, the whole tensor in one fill. */
    @Override
    default StageDecoder readSideInfoPacked(ByteReader sideInfo, SignalShape input) {
        Source source = readSideInfoSource(sideInfo, input);
        int n = input.length();
        return output -> {
            source.start(output.bytes());
            float[] x = new float[n];
            source.fill(0, x, n);
            return Signal.floats(x);
        };
    }

    /** Takes the elements in order. */
    interface Sink {
        /** Elements {@code [offset, offset+len)} of the tensor, at {@code src[from, from+len)}. */
        void accept(float[] src, int from, int offset, int len);

        /** The packed bytes, once all elements arrived. */
        byte[] finish();
    }

    /** Gives the decoded elements for a payload. */
    interface Source {
        /** Checks the payload as bit packing would and keeps it. */
        void start(byte[] payload);

        /** Decoded elements {@code [offset, offset+len)} into {@code dst[0, len)}. */
        void fill(int offset, float[] dst, int len);

        /**
         * As {@link #fill}, then the first four butterfly passes of the Walsh–Hadamard transform (strides 1 to 8) over
         * each group of 16, bit for bit as {@link HadamardStage}'s 16-point kernel computes them; {@code offset} and
         * {@code len} multiples of 16. A source whose values take few patterns may compute the passes faster.
         */
        default void fillRadix16(int offset, float[] dst, int len) {
            fill(offset, dst, len);
            HadamardStage.radix16Groups(dst, len);
        }
    }
}
