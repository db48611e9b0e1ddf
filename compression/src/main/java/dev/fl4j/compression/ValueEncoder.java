package dev.fl4j.compression;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a whole value (a tensor or a nested {@link Struct} of tensors, e.g. model weights or an
 * update) by applying a {@link TensorEncoder} to every floating-point leaf with more than
 * {@link #threshold()} elements; the other leaves cross unchanged (small tensors such as biases stay
 * exact), as TFF's encoders applied "above a threshold". TFF's default, 8-bit uniform quantization
 * above 20,000 elements, is {@code Encoders.parse("uniform8")}.
 *
 * <p><b>Exact sizes.</b> The encoded value has the original's structure and field names; each
 * encoded leaf is replaced by the flat uint8 tensor of its {@link TensorEncoder} encoding, so the
 * encoded value's {@link Value#sizeInBits()} is exactly what crosses the wire: 32 (or 64) bits per
 * element of unencoded leaves plus 8 bits per byte of the encoded ones, header included.
 *
 * <p><b>Seeds.</b> Leaf {@code j} (depth-first order) encodes with the seed {@link Seeds#deriveForEncoding} derives
 * from the caller's seed and {@code j}; callers derive their seed from run seed, round, client and direction, so the
 * same call gives the same bytes.
 *
 * <p><b>State</b> ({@link #initialState}) is a positional structure with one field per leaf in
 * depth-first order: the {@link TensorEncoder} state for encoded leaves, an empty structure for the
 * others. It holds e.g. error-feedback residuals and belongs to whoever encodes (a client).
 *
 * <p><b>Decoding</b> needs the original value's type ({@link #decode}); it checks that every leaf
 * that should be encoded is, that no other leaf is, and that each decoded tensor has the declared
 * type, throwing {@link MalformedEncodingException} naming the leaf's path otherwise. The type of an
 * encoded leaf must be fully defined: it bounds what the leaf's bytes may decode to
 * ({@link TensorEncoder#decode(Tensor, TensorType)}).
 */
public final class ValueEncoder {

    /** TFF's default: tensors with more than 20,000 elements are encoded. */
    public static final long TFF_DEFAULT_THRESHOLD = 20_000;

    private static final ValueEncoder NONE = new ValueEncoder(null, Long.MAX_VALUE, "none", "none");

    private final TensorEncoder encoder;
    private final long threshold;
    private final String name;
    private final String preset;

    private ValueEncoder(TensorEncoder encoder, long threshold, String name, String preset) {
        this.encoder = encoder;
        this.threshold = threshold;
        this.name = name;
        this.preset = preset;
    }

    /** The encoder {@link Encoders#parse} made from {@code spec}: describable by that name. */
    static ValueEncoder preset(TensorEncoder encoder, long threshold, String spec) {
        return new ValueEncoder(of(encoder, threshold, spec).encoder, threshold, spec, spec);
    }

    /** Encodes nothing: every leaf crosses unchanged. */
    public static ValueEncoder none() {
        return NONE;
    }

    /** Applies {@code encoder} to floating-point leaves with more than {@code threshold} elements. */
    public static ValueEncoder of(TensorEncoder encoder, long threshold) {
        return of(encoder, threshold, encoder.name() + "@" + threshold);
    }

    /** As {@link #of(TensorEncoder, long)}, with a display name (e.g. the preset name). */
    public static ValueEncoder of(TensorEncoder encoder, long threshold, String name) {
        if (encoder == null) {
            throw new IllegalArgumentException("encoder must not be null; use ValueEncoder.none() to encode nothing");
        }
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold must be >= 0, got " + threshold);
        }
        return new ValueEncoder(encoder, threshold, name, null);
    }

    public String name() {
        return name;
    }

    /**
     * The {@link Encoders} preset this encoder was parsed from ({@code drive}, {@code topk:0.01@1000}),
     * which {@link Encoders#parse} turns into the same encoder in another JVM; empty for an encoder
     * assembled from stages, which no name describes.
     */
    public java.util.Optional<String> presetName() {
        return java.util.Optional.ofNullable(preset);
    }

    /** Leaves with more elements than this are encoded. */
    public long threshold() {
        return threshold;
    }

    /** The tensor encoder, or null for {@link #none()}. */
    public TensorEncoder tensorEncoder() {
        return encoder;
    }

    /** Whether a leaf of this (fully defined) type is encoded. */
    public boolean encodes(TensorType leaf) {
        return encoder != null && leaf.dtype().isFloating() && leaf.numElements() > threshold;
    }

    /** The state before the first round for values of {@code valueType} (fully defined shapes). */
    public Value initialState(Type valueType) {
        List<TensorType> leaves = new ArrayList<>();
        collectLeafTypes(valueType, leaves, "");
        Struct.Builder b = Struct.builder();
        for (TensorType t : leaves) {
            b.add(encodes(t) ? encoder.initialState((int) t.numElements()) : Struct.empty());
        }
        return b.build();
    }

    private static void collectLeafTypes(Type type, List<TensorType> out, String path) {
        if (type instanceof TensorType t) {
            if (!t.isFullyDefined()) {
                throw new IllegalArgumentException(
                        "leaf " + where(path) + " has type " + t + "; encoder state needs fully defined shapes");
            }
            out.add(t);
        } else if (type instanceof StructType s) {
            for (int i = 0; i < s.size(); i++) {
                collectLeafTypes(
                        s.get(i), out, path + "/" + fieldName(s.fields().get(i).name(), i));
            }
        } else {
            throw new IllegalArgumentException(
                    "cannot encode values of type " + type + " at " + where(path) + ": only tensors and structures");
        }
    }

    /** The encoded value and the state to carry to the next round. */
    public record Encoding(Value value, Value state) {}

    /** Encodes from the initial state, discarding the next state (for stateless encoders, e.g. broadcast). */
    public Value encode(Value value, long seed) {
        return encode(value, seed, initialState(value.type())).value();
    }

    /**
     * Encodes {@code value}.
     *
     * @param state from {@link #initialState} or the previous call's {@link Encoding#state()}
     * @throws IllegalArgumentException naming the leaf, for non-finite elements or a state that does not fit
     */
    public Encoding encode(Value value, long seed, Value state) {
        List<Tensor> leaves = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        collectLeaves(value, leaves, paths, "");
        if (!(state instanceof Struct st) || st.size() != leaves.size()) {
            throw new IllegalArgumentException("encoder state must be a structure of " + leaves.size()
                    + " leaf states (see initialState), got " + state.type());
        }
        List<Tensor> encoded = new ArrayList<>(leaves.size());
        Struct.Builder next = Struct.builder();
        for (int j = 0; j < leaves.size(); j++) {
            Tensor t = leaves.get(j);
            if (encodes(t.type())) {
                try {
                    TensorEncoder.Encoding e = encoder.encode(t, Seeds.deriveForEncoding(seed, j), st.get(j));
                    encoded.add(e.bytes());
                    next.add(e.state());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "encoding leaf " + where(paths.get(j)) + " " + t.type() + " with " + name + ": "
                                    + e.getMessage(),
                            e);
                }
            } else {
                encoded.add(t);
                next.add(st.get(j));
            }
        }
        return new Encoding(rebuild(value, encoded.iterator()), next.build());
    }

    private static void collectLeaves(Value value, List<Tensor> out, List<String> paths, String path) {
        if (value instanceof Tensor t) {
            out.add(t);
            paths.add(path);
        } else if (value instanceof Struct s) {
            for (int i = 0; i < s.size(); i++) {
                collectLeaves(s.get(i), out, paths, path + "/" + fieldName(s.nameAt(i), i));
            }
        } else {
            throw new IllegalArgumentException("cannot encode " + value.type() + " at " + where(path)
                    + ": only tensors and structures of tensors");
        }
    }

    private static Value rebuild(Value template, java.util.Iterator<Tensor> leaves) {
        if (template instanceof Tensor) {
            return leaves.next();
        }
        Struct s = (Struct) template;
        Struct.Builder b = Struct.builder();
        for (int i = 0; i < s.size(); i++) {
            b.add(s.nameAt(i), rebuild(s.get(i), leaves));
        }
        return b.build();
    }

    /**
     * Restores a value of {@code originalType} from its encoding.
     *
     * @throws MalformedEncodingException naming the leaf, if the structure differs, a leaf that should be
     *     encoded is not (or the reverse), its bytes are malformed, or it decodes to another type
     */
    public Value decode(Value encoded, Type originalType) {
        return decode(encoded, originalType, "");
    }

    private Value decode(Value v, Type type, String path) {
        if (type instanceof TensorType tt) {
            if (!(v instanceof Tensor t)) {
                throw new MalformedEncodingException(
                        "leaf " + where(path) + ": expected a tensor for " + tt + ", got " + v.type());
            }
            return decodeLeaf(t, tt, path);
        }
        if (type instanceof StructType st) {
            if (!(v instanceof Struct s) || s.size() != st.size()) {
                throw new MalformedEncodingException("at " + where(path) + ": expected a structure of " + st.size()
                        + " fields for " + st + ", got " + v.type());
            }
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < st.size(); i++) {
                String want = st.fields().get(i).name();
                String got = s.nameAt(i);
                if (want != null && got != null && !want.equals(got)) {
                    throw new MalformedEncodingException(
                            "at " + where(path) + ": field " + i + " is '" + got + "', expected '" + want + "'");
                }
                String name = want != null ? want : got;
                b.add(name, decode(s.get(i), st.get(i), path + "/" + fieldName(name, i)));
            }
            return b.build();
        }
        throw new IllegalArgumentException("cannot decode values of type " + type + " at " + where(path));
    }

    private Tensor decodeLeaf(Tensor t, TensorType tt, String path) {
        boolean arrivedEncoded = tt.dtype().isFloating() && t.dtype() == DType.UINT8;
        if (arrivedEncoded) {
            if (encoder == null) {
                throw new MalformedEncodingException(
                        "leaf " + where(path) + ": expected " + tt + " unencoded (encoder 'none'), got " + t.type());
            }
            if (!tt.isFullyDefined()) {
                throw new IllegalArgumentException("leaf " + where(path) + ": the original type " + tt
                        + " is not fully defined, so it cannot bound what its encoding decodes to");
            }
            Tensor out;
            try {
                out = encoder.decode(t, tt);
            } catch (MalformedEncodingException e) {
                throw new MalformedEncodingException(
                        "leaf " + where(path) + " (" + tt + ", " + name + "): " + e.getMessage(), e);
            }
            if (!encodes(out.type())) {
                throw new MalformedEncodingException("leaf " + where(path) + " arrived encoded but has " + out.size()
                        + " elements, not more than the threshold " + threshold + ", so it must cross unencoded");
            }
            return out;
        }
        if (!tt.isAssignableFrom(t.type())) {
            throw new MalformedEncodingException("leaf " + where(path) + ": expected " + tt
                    + (encoder == null ? "" : " or its encoding (uint8)") + ", got " + t.type());
        }
        if (encodes(t.type())) {
            throw new MalformedEncodingException("leaf " + where(path) + " " + t.type() + " has more than " + threshold
                    + " elements, so it must arrive encoded by " + name + ", but arrived raw");
        }
        return t;
    }

    private static String fieldName(String name, int index) {
        return name != null ? name : String.valueOf(index);
    }

    private static String where(String path) {
        return path.isEmpty() ? "(top level)" : path;
    }

    @Override
    public String toString() {
        return "ValueEncoder[" + name + "]";
    }
}
