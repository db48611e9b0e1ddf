package dev.fl4j.core.io;

import dev.fl4j.core.DType;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A type written as an fl4j value, so that descriptions of computations
 * ({@link dev.fl4j.core.computation.ComputationDescriptor} payloads) can say what they take and
 * return without a value of that type (a model-sized one, say). Only the value types travel:
 * tensors, structures and sequences; federated and function types never cross.
 *
 * <h2>Layout</h2>
 * A tensor type is {@code <tensor=uint8[?] (the dtype's name, e.g. float32), shape=int32[rank]>} with
 * {@code -1} for an unknown dimension; a structure type {@code <struct=<field, …>>} with a field
 * {@code <name=uint8[?], type=…>} (an empty name is a positional field); a sequence type
 * {@code <sequence=…>}. Reading ({@link #fromValue}) checks every part, nests at most
 * {@link #MAX_DEPTH} levels and names what does not fit.
 */
public final class TypeCodec {

    /** How deep types may nest (structures of structures), so hostile bytes cannot exhaust the stack. */
    public static final int MAX_DEPTH = 32;

    private TypeCodec() {}

    /** {@code type} as a value of the layout above. */
    public static Value toValue(Type type) {
        if (type instanceof TensorType t) {
            return Struct.named("tensor", text(t.dtype().tffName()), "shape", Tensor.of(t.shape(), t.rank()));
        }
        if (type instanceof StructType s) {
            List<Value> fields = new ArrayList<>();
            for (StructType.Field f : s.fields()) {
                fields.add(Struct.named("name", text(f.name() == null ? "" : f.name()), "type", toValue(f.type())));
            }
            return Struct.named("struct", Struct.of(fields));
        }
        if (type instanceof SequenceType q) {
            return Struct.named("sequence", toValue(q.element()));
        }
        throw new IllegalArgumentException("only tensor, structure and sequence types can be written, not " + type);
    }

    /**
     * The type {@code value} describes.
     *
     * @throws MalformedDataException if {@code value} is not of the layout above; the message names
     *     the part (e.g. {@code type.struct[2].type: unknown dtype 'float16'})
     */
    public static Type fromValue(Value value) {
        return read(value, "type", 0);
    }

    private static Type read(Value v, String where, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedDataException(where + ": types nest deeper than " + MAX_DEPTH + " levels");
        }
        if (!(v instanceof Struct s)) {
            throw new MalformedDataException(where + ": expected a type structure, got " + v.type());
        }
        if (s.size() == 2 && s.has("tensor") && s.has("shape")) {
            String name = string(s.get("tensor"), where + ".tensor");
            DType dtype;
            try {
                dtype = DType.fromName(name);
            } catch (IllegalArgumentException e) {
                throw new MalformedDataException(where + ".tensor: " + e.getMessage());
            }
            if (!(s.get("shape") instanceof Tensor shape) || shape.dtype() != DType.INT32 || shape.rank() != 1) {
                throw new MalformedDataException(where + ".shape must be int32[rank], got "
                        + s.get("shape").type());
            }
            int[] dims = shape.intData();
            for (int d : dims) {
                if (d < TensorType.UNKNOWN) {
                    throw new MalformedDataException(where + ".shape: invalid dimension " + d);
                }
            }
            return new TensorType(dtype, dims);
        }
        if (s.size() == 1 && s.has("struct")) {
            if (!(s.get("struct") instanceof Struct fields)) {
                throw new MalformedDataException(where + ".struct must be a structure, got "
                        + s.get("struct").type());
            }
            StructType.Builder b = StructType.builder();
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < fields.size(); i++) {
                String at = where + ".struct[" + i + "]";
                if (!(fields.get(i) instanceof Struct f) || f.size() != 2 || !f.has("name") || !f.has("type")) {
                    throw new MalformedDataException(at + " must be <name=uint8[?],type=...>, got "
                            + fields.get(i).type());
                }
                String name = string(f.get("name"), at + ".name");
                if (!name.isEmpty()) {
                    if (seen.contains(name)) {
                        throw new MalformedDataException(at + ".name: duplicate field name '" + name + "'");
                    }
                    seen.add(name);
                }
                b.add(name.isEmpty() ? null : name, read(f.get("type"), at + ".type", depth + 1));
            }
            return b.build();
        }
        if (s.size() == 1 && s.has("sequence")) {
            return new SequenceType(read(s.get("sequence"), where + ".sequence", depth + 1));
        }
        throw new MalformedDataException(
                where + ": not a type (expected <tensor,shape>, <struct> or <sequence>), got " + v.type());
    }

    private static Tensor text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }

    private static String string(Value v, String where) {
        if (!(v instanceof Tensor t) || t.dtype() != DType.UINT8 || t.rank() != 1) {
            throw new MalformedDataException(where + " must be uint8[?] text, got " + v.type());
        }
        return new String(t.byteData(), StandardCharsets.UTF_8);
    }
}
