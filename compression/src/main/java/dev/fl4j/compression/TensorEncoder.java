package dev.fl4j.compression;

import dev.fl4j.compression.internal.BitPackingStage;
import dev.fl4j.compression.internal.BlockQuantizer;
import dev.fl4j.compression.internal.HadamardStage;
import dev.fl4j.compression.internal.PackedQuantizer;
import dev.fl4j.compression.internal.StrideStage;
import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Encodes one floating-point tensor into bytes and back through a chain of {@link EncodingStage}s,
 * TFF's {@code tensor_encoding} {@code Encoder}. The encoded form is a flat uint8 {@link Tensor} whose
 * {@link Tensor#sizeInBits()} is exactly the number of bits that cross the wire: a self-describing
 * header, each stage's side information, then the payload.
 *
 * <h2>Byte layout (format version 1)</h2>
 * <pre>
 * offset     size  field
 * 0          1     format version, = {@value #FORMAT_VERSION}
 * 1          1     dtype of the original tensor: 0 float32, 1 float64 (the codes of core's value codec)
 * 2          1     rank r (0..{@value #MAX_RANK})
 * 3          4r    dimensions, int32 little-endian
 * 3+4r       1     stage count s (1..{@value #MAX_STAGES})
 * 4+4r       s     stage ids, in chain order
 * 4+4r+s     ...   side information of every stage, in chain order (see each stage in {@link Stages})
 * ...        ...   payload: the bytes the last stage produced
 * </pre>
 * The fixed part is {@link #headerBytes(int, int) 4 + 4r + s} bytes. With {@code uniform(8)} then
 * {@code bitpack} (9 bytes of side information) a rank-2 tensor of n elements encodes to exactly
 * {@code n + 23} bytes and a rank-4 one to {@code n + 31}.
 *
 * <h2>Contracts</h2>
 * <ul>
 *   <li>The chain is type-checked when built: the first stage takes floats, each stage takes what
 *       the previous produces, and only the last produces bytes.</li>
 *   <li>Stages work in float32: a float64 tensor is rounded to float32 before encoding and restored
 *       to float64 (with float32 precision) by decoding. Non-finite elements are rejected.</li>
 *   <li>Deterministic: the same tensor, seed and state give the same bytes. Stage {@code i} draws
 *       from the seed {@link Seeds#deriveForEncoding} derives from the caller's seed and {@code i}; callers derive
 *       their seed from the
 *       round, client and tensor (see {@link ValueEncoder}).</li>
 *   <li>{@link #decode} checks everything it reads (version, dtype, rank, stage ids, side
 *       information, payload length) and throws {@link MalformedEncodingException} rather than
 *       return a tensor it cannot vouch for.</li>
 *   <li>Decoding is bounded: every decode takes either the expected type or a cap on the element
 *       count, and checks the header against it before reading further, so the memory it
 *       allocates is proportional to what the caller expects, never to what the bytes claim.</li>
 * </ul>
 * Instances are immutable and thread-safe if their stages are (all stages of {@link Stages} are).
 */
public final class TensorEncoder {

    /** The byte-format version this class writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** Largest rank a header can describe. */
    public static final int MAX_RANK = 32;
    /** Largest number of stages in a chain. */
    public static final int MAX_STAGES = 32;

    private static final int DTYPE_FLOAT32 = 0;
    private static final int DTYPE_FLOAT64 = 1;

    private final List<EncodingStage> stages;

    private TensorEncoder(List<EncodingStage> stages) {
        this.stages = stages;
    }

    /**
     * A chain of {@code stages}, checked: the first takes {@link SignalKind#FLOATS}, each takes the
     * previous one's output kind, the last produces {@link SignalKind#BYTES}, and ids lie in 1-255.
     */
    public static TensorEncoder of(EncodingStage... stages) {
        return of(List.of(stages));
    }

    /** See {@link #of(EncodingStage...)}. */
    public static TensorEncoder of(List<? extends EncodingStage> stages) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("an encoder needs at least one stage, ending in one that produces bytes"
                    + " (e.g. Stages.float32() or Stages.bitPacking())");
        }
        if (stages.size() > MAX_STAGES) {
            throw new IllegalArgumentException("at most " + MAX_STAGES + " stages, got " + stages.size());
        }
        SignalKind expected = SignalKind.FLOATS;
        for (int i = 0; i < stages.size(); i++) {
            EncodingStage s = stages.get(i);
            if (s.id() < 1 || s.id() > 255) {
                throw new IllegalArgumentException(
                        "stage " + i + " (" + s.name() + ") has id " + s.id() + ", expected 1-255");
            }
            if (s.inputKind() != expected) {
                throw new IllegalArgumentException("stage " + i + " (" + s.name() + ") takes " + s.inputKind() + " but "
                        + (i == 0
                                ? "a chain starts from FLOATS"
                                : "stage " + (i - 1) + " (" + stages.get(i - 1).name() + ") produces " + expected));
            }
            expected = s.outputKind();
            if (expected == SignalKind.BYTES && i != stages.size() - 1) {
                throw new IllegalArgumentException(
                        "stage " + i + " (" + s.name() + ") produces BYTES, so it must be last, but "
                                + (stages.size() - 1 - i) + " stage(s) follow it");
            }
        }
        if (expected != SignalKind.BYTES) {
            throw new IllegalArgumentException(
                    "the last stage (" + stages.get(stages.size() - 1).name() + ") produces " + expected
                            + "; a chain must end in BYTES: append "
                            + (expected == SignalKind.FLOATS
                                    ? "Stages.float32()"
                                    : "Stages.bitPacking() or Stages.entropyCoding()"));
        }
        SignalShape probe = SignalShape.floats(1);
        for (int i = 0; i < stages.size(); i++) {
            try {
                probe = stages.get(i).outputShape(probe);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "stage " + i + " (" + stages.get(i).name() + ") cannot take " + probe + ": " + e.getMessage(),
                        e);
            }
        }
        return new TensorEncoder(List.copyOf(stages));
    }

    /** The stages in chain order. */
    public List<EncodingStage> stages() {
        return stages;
    }

    /** Stage names joined by {@code +}, e.g. {@code uniform(8)+bitpack}. */
    public String name() {
        StringBuilder sb = new StringBuilder();
        for (EncodingStage s : stages) {
            if (sb.length() > 0) {
                sb.append('+');
            }
            sb.append(s.name());
        }
        return sb.toString();
    }

    /** How many leading stages commute with sum (TFF sums encoded values up to there). */
    public int commutingPrefixLength() {
        int n = 0;
        while (n < stages.size() && stages.get(n).commutesWithSum()) {
            n++;
        }
        return n;
    }

    /**
     * Bytes of the fixed header for a tensor of rank {@code rank} under {@code stageCount} stages: {@code 4 + 4·rank +
     * stageCount}.
     */
    public static int headerBytes(int rank, int stageCount) {
        return 4 + 4 * rank + stageCount;
    }

    /** The fixed header size for a tensor of rank {@code rank} under this chain. */
    public int headerBytes(int rank) {
        return headerBytes(rank, stages.size());
    }

    /** The shapes of the signals between stages for {@code n} input elements: {@code n+1} entries, first floats[n]. */
    public List<SignalShape> signalShapes(int n) {
        List<SignalShape> shapes = new ArrayList<>(stages.size() + 1);
        SignalShape s = SignalShape.floats(n);
        shapes.add(s);
        for (EncodingStage stage : stages) {
            s = stage.outputShape(s);
            shapes.add(s);
        }
        return shapes;
    }

    /**
     * The state before the first round for a tensor of {@code numElements} elements: a structure with one field per
     * stage.
     */
    public Value initialState(int numElements) {
        List<SignalShape> shapes = signalShapes(numElements);
        Struct.Builder b = Struct.builder();
        for (int i = 0; i < stages.size(); i++) {
            b.add(stages.get(i).initialState(shapes.get(i)));
        }
        return b.build();
    }

    /** Whether any stage carries state across rounds (its initial state is not empty). */
    public boolean isStateful(int numElements) {
        Value s = initialState(numElements);
        for (Value v : ((Struct) s).values()) {
            if (!(v instanceof Struct st && st.size() == 0)) {
                return true;
            }
        }
        return false;
    }

    /** The encoded bytes of a tensor and the encoder state to carry to the next round. */
    public record Encoding(Tensor bytes, Value state) {}

    /** Encodes a stateless way: from the initial state, discarding the next state. */
    public Tensor encode(Tensor tensor, long seed) {
        return encode(tensor, seed, initialState(tensor.size())).bytes();
    }

    /**
     * Encodes a float32 or float64 tensor with all-finite elements into a flat uint8 tensor.
     *
     * @param state this encoder's state from the previous round, or {@link #initialState}
     */
    public Encoding encode(Tensor tensor, long seed, Value state) {
        DType dtype = tensor.dtype();
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
            throw new IllegalArgumentException("only float32 and float64 tensors can be encoded, got " + tensor.type());
        }
        if (tensor.rank() > MAX_RANK) {
            throw new IllegalArgumentException(
                    "rank " + tensor.rank() + " exceeds the format's maximum " + MAX_RANK + ": " + tensor.type());
        }
        float[] values = dtype == DType.FLOAT32 ? tensor.floatData() : tensor.toFloatArray();
        boolean stateFits = state instanceof Struct fitting && fitting.size() == stages.size();
        List<SignalShape> shapes = stateFits ? shapesIfEncodable(values.length) : null;
        // a chain that starts with a fused rotation checks the elements as it rotates them (see encodeBlocks), when
        // nothing else would be rejected first; otherwise they are checked here, before anything else
        boolean checkWhileRotating = shapes != null && fusedAfterRotation(0, shapes) > 0;
        if (!checkWhileRotating) {
            requireFinite(tensor, values);
        }
        if (!(state instanceof Struct st) || !stateFits) {
            throw new IllegalArgumentException("encoder state must be a structure of " + stages.size()
                    + " stage states (see initialState), got " + state.type());
        }
        if (shapes == null) {
            shapes = signalShapes(values.length); // throws why this many elements cannot be encoded
        }
        ByteWriter side = new ByteWriter();
        Signal signal = Signal.floats(values);
        Struct.Builder next = Struct.builder();
        for (int i = 0; i < stages.size(); i++) {
            EncodingStage stage = stages.get(i);
            StageContext ctx = new StageContext(Seeds.deriveForEncoding(seed, i), st.get(i));
            int fused = fusedAfterRotation(i, shapes);
            if (fused > 0) {
                // rotated a block at a time into the quantizer (through the stride), which packs its own symbols (no
                // state in the fused stages)
                Runnable finiteCheck = i == 0 && checkWhileRotating ? () -> requireFinite(tensor, values) : null;
                signal = Signal.bytes(((HadamardStage) stage)
                        .encodeBlocks(signal.floats(), ctx.seed(), side, fusedQuantizer(i, fused), finiteCheck));
                next.add(ctx.nextState());
                for (int j = 1; j < fused; j++) {
                    next.add(st.get(i + j));
                }
                i += fused;
                stage = stages.get(i);
                ctx = new StageContext(Seeds.deriveForEncoding(seed, i), st.get(i));
            } else if (fusedWithPacking(i)) {
                // the quantizer packs its own symbols; bit packing has no side information and no state
                signal = ((PackedQuantizer) stage).encodePacked(signal, ctx, side);
                next.add(ctx.nextState());
                i++;
                stage = stages.get(i);
                ctx = new StageContext(Seeds.deriveForEncoding(seed, i), st.get(i));
            } else {
                signal = stage.encode(signal, ctx, side);
            }
            SignalShape want = shapes.get(i + 1);
            SignalShape got = signal.shape();
            boolean ok = want.kind() == SignalKind.BYTES && want.length() == SignalShape.UNKNOWN_LENGTH
                    ? got.kind() == SignalKind.BYTES
                    : got.equals(want);
            if (!ok) {
                throw new IllegalStateException(
                        "stage " + i + " (" + stage.name() + ") produced " + got + " but declared " + want);
            }
            next.add(ctx.nextState());
        }
        int[] shape = tensor.shape();
        byte[] payload = signal.bytes();
        int headerSize = headerBytes(shape.length);
        long total = (long) headerSize + side.size() + payload.length;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("encoding of " + tensor.type() + " would exceed 2^31 bytes");
        }
        ByteWriter header = new ByteWriter(headerSize);
        header.writeU8(FORMAT_VERSION)
                .writeU8(dtype == DType.FLOAT32 ? DTYPE_FLOAT32 : DTYPE_FLOAT64)
                .writeU8(shape.length);
        for (int d : shape) {
            header.writeInt(d);
        }
        header.writeU8(stages.size());
        for (EncodingStage s : stages) {
            header.writeU8(s.id());
        }
        byte[] out = new byte[(int) total];
        header.copyTo(out, 0);
        side.copyTo(out, headerSize);
        System.arraycopy(payload, 0, out, headerSize + side.size(), payload.length);
        return new Encoding(Tensor.of(out, out.length), next.build());
    }

    /**
     * Decodes what {@link #encode} produced with this chain for a tensor of type {@code expected},
     * restoring dtype and shape. The header's dtype and shape are checked against {@code expected}
     * before any side information or payload is read, so a header claiming a huge shape costs nothing.
     *
     * @param expected the type the tensor must have; fully defined, as it bounds what decoding allocates
     * @throws MalformedEncodingException if the bytes are not a complete, consistent encoding by this chain
     *     of a tensor of type {@code expected}
     * @throws IllegalArgumentException if {@code expected} is not a fully defined float32 or float64 type
     */
    public Tensor decode(Tensor encoded, TensorType expected) {
        Objects.requireNonNull(expected, "expected type");
        if (!expected.isFullyDefined() || !expected.dtype().isFloating()) {
            throw new IllegalArgumentException(
                    "the expected type of a decoded tensor must be a fully defined float32 or float64 type, got "
                            + expected + "; without one, decode(encoded, maxElements) caps the element count");
        }
        return decodeChecked(encoded, expected, expected.numElements());
    }

    /**
     * Decodes what {@link #encode} produced with this chain, restoring dtype and shape, for a tensor of
     * any shape with at most {@code maxElements} elements. The header's element count is checked
     * against the cap before any side information or payload is read: a few bytes whose header claims
     * millions of elements (an entropy-coded constant tensor decodes from a fixed-size payload) are
     * rejected instead of inflating to that many floats.
     *
     * @throws MalformedEncodingException if the bytes are not a complete, consistent encoding by this chain,
     *     or their header claims more than {@code maxElements} elements
     */
    public Tensor decode(Tensor encoded, long maxElements) {
        if (maxElements < 0) {
            throw new IllegalArgumentException("maxElements must be >= 0, got " + maxElements);
        }
        return decodeChecked(encoded, null, maxElements);
    }

    private Tensor decodeChecked(Tensor encoded, TensorType expected, long maxElements) {
        if (encoded.dtype() != DType.UINT8) {
            throw new MalformedEncodingException("an encoded tensor is uint8 bytes, got " + encoded.type());
        }
        byte[] bytes = encoded.byteData();
        ByteReader in = new ByteReader(bytes);
        int version = in.readU8("format version");
        if (version != FORMAT_VERSION) {
            throw new MalformedEncodingException("unsupported encoding format version " + version
                    + " at offset 0; this reader supports " + FORMAT_VERSION);
        }
        int dtypeCode = in.readU8("dtype");
        if (dtypeCode != DTYPE_FLOAT32 && dtypeCode != DTYPE_FLOAT64) {
            throw new MalformedEncodingException(
                    "dtype code " + dtypeCode + " at offset 1, expected 0 (float32) or 1 (float64)");
        }
        int rank = in.readU8("rank");
        if (rank > MAX_RANK) {
            throw new MalformedEncodingException("rank " + rank + " at offset 2 exceeds the maximum " + MAX_RANK);
        }
        int[] shape = new int[rank];
        long n = 1;
        for (int i = 0; i < rank; i++) {
            int at = in.position();
            shape[i] = in.readInt("dimension " + i);
            if (shape[i] < 0) {
                throw new MalformedEncodingException(
                        "dimension " + i + " at offset " + at + " is negative: " + shape[i]);
            }
            n *= shape[i];
            if (n > Integer.MAX_VALUE) {
                throw new MalformedEncodingException("shape " + Arrays.toString(Arrays.copyOf(shape, i + 1))
                        + " at offset 3 has more than 2^31-1 elements");
            }
        }
        DType dtype = dtypeCode == DTYPE_FLOAT32 ? DType.FLOAT32 : DType.FLOAT64;
        TensorType declared = new TensorType(dtype, shape);
        if (expected != null && !expected.isAssignableFrom(declared)) {
            throw new MalformedEncodingException(
                    "encoded tensor decodes to " + declared + " but " + expected + " was expected");
        }
        if (n > maxElements) {
            throw new MalformedEncodingException("header at offset 3 declares " + declared + ", " + n
                    + " elements, more than the " + maxElements + " this decode allows");
        }
        int count = in.readU8("stage count");
        if (count != stages.size()) {
            throw new MalformedEncodingException("encoding has " + count + " stages but this decoder is " + name()
                    + " (" + stages.size() + " stages)");
        }
        for (int i = 0; i < count; i++) {
            int at = in.position();
            int id = in.readU8("stage id " + i);
            if (id != stages.get(i).id()) {
                throw new MalformedEncodingException("stage " + i + " at offset " + at + " has id " + id + " ("
                        + Stages.describeId(id) + ") but this decoder expects id "
                        + stages.get(i).id() + " (" + stages.get(i).name() + ")");
            }
        }
        List<SignalShape> shapes;
        try {
            shapes = signalShapes((int) n);
        } catch (IllegalArgumentException e) {
            throw new MalformedEncodingException(
                    "header declares " + declared + ", which " + name() + " cannot have encoded: " + e.getMessage(), e);
        }
        StageDecoder[] decoders = new StageDecoder[count];
        for (int i = 0; i < count; i++) {
            int fused = fusedAfterRotation(i, shapes);
            if (fused > 0) {
                HadamardStage.SourceDecoder rotation =
                        ((HadamardStage) stages.get(i)).readSideInfoBlocks(in, shapes.get(i));
                BlockQuantizer.Source source = fusedQuantizer(i, fused).readSideInfoSource(in, shapes.get(i + 1));
                decoders[i] = output -> {
                    source.start(output.bytes());
                    return Signal.floats(rotation.decode(source));
                };
                i += fused;
            } else if (fusedWithPacking(i)) {
                // decoders[i] takes the packed bytes; the bit packing stage reads no side information
                decoders[i] = ((PackedQuantizer) stages.get(i)).readSideInfoPacked(in, shapes.get(i));
                i++;
            } else {
                decoders[i] = stages.get(i).readSideInfo(in, shapes.get(i));
            }
        }
        Signal signal = Signal.bytes(in.readBytes(in.remaining(), "payload"));
        for (int i = count - 1; i >= 0; i--) {
            if (decoders[i] == null) {
                continue;
            }
            signal = decoders[i].decode(signal);
            if (!signal.shape().equals(shapes.get(i))) {
                throw new IllegalStateException(
                        "decoder of stage " + i + " (" + stages.get(i).name() + ") returned " + signal.shape()
                                + " but its input was " + shapes.get(i));
            }
        }
        float[] values = signal.floats();
        Tensor flat = Tensor.of(values, shape);
        return dtypeCode == DTYPE_FLOAT32 ? flat : flat.cast(DType.FLOAT64);
    }

    /** Throws, naming the first one, if an element of {@code values} (the elements of {@code tensor}) is not finite. */
    private static void requireFinite(Tensor tensor, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("cannot encode " + tensor.type() + ": element " + i + " is "
                        + values[i]
                        + (tensor.dtype() == DType.FLOAT64 && Double.isFinite(tensor.getDouble(i))
                                ? " after rounding to float32"
                                : ""));
            }
        }
    }

    /** The {@link #signalShapes} of {@code n} elements, or null if the chain cannot encode that many. */
    private List<SignalShape> shapesIfEncodable(int n) {
        try {
            return signalShapes(n);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * How many stages after a Hadamard rotation at {@code i} {@link #encode} and {@link #decode} run with it a rotation
     * block at a time ({@link BlockQuantizer}), 0 for none: 2 when stages {@code i+1, i+2} are a built-in quantizer
     * whose blocks fit the rotation's and bit packing, 3 when they are a {@link StrideStage} whose stride divides the
     * rotation's blocks, such a quantizer and bit packing. Same side information, same bytes, same floats, same
     * errors as the stages one after the other.
     */
    private int fusedAfterRotation(int i, List<SignalShape> shapes) {
        if (!(stages.get(i) instanceof HadamardStage rotation)) {
            return 0;
        }
        int span = i + 3 < stages.size() && stages.get(i + 1) instanceof StrideStage ? 3 : 2;
        if (i + span >= stages.size()
                || !(stages.get(i + span - 1) instanceof BlockQuantizer)
                || !(stages.get(i + span) instanceof BitPackingStage)) {
            return 0;
        }
        boolean fits = fusedQuantizer(i, span)
                .takesBlocks(
                        1 << rotation.blockLog2(shapes.get(i).length()),
                        shapes.get(i + 1).length());
        return fits ? span : 0;
    }

    /** The quantizer a fused rotation at {@code i} feeds, {@code span} stages with the packing (see above). */
    private BlockQuantizer fusedQuantizer(int i, int span) {
        BlockQuantizer quantizer = (BlockQuantizer) stages.get(i + span - 1);
        return span == 3 ? ((StrideStage) stages.get(i + 1)).over(quantizer) : quantizer;
    }

    /**
     * Whether stage {@code i} is a built-in quantizer followed by bit packing, which {@link #encode} and
     * {@link #decode} run as one pass ({@link PackedQuantizer}): same side information, same bytes, same floats, same
     * errors.
     */
    private boolean fusedWithPacking(int i) {
        return i + 1 < stages.size()
                && stages.get(i) instanceof PackedQuantizer
                && stages.get(i + 1) instanceof BitPackingStage;
    }

    @Override
    public String toString() {
        return "TensorEncoder[" + name() + "]";
    }
}
