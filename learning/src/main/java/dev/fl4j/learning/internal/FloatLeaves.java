package dev.fl4j.learning.internal;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.types.StructType;
import dev.fl4j.core.types.TensorType;
import dev.fl4j.core.types.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Float32 leaves of nested values, for optimizers' element loops. */
public final class FloatLeaves {

    private FloatLeaves() {
    }

    /** The backing arrays of {@code value}'s leaves (not copies); fails unless every leaf is float32. */
    public static List<float[]> arrays(Value value, String what) {
        List<Tensor> leaves = Structures.leaves(value);
        List<float[]> out = new ArrayList<>(leaves.size());
        for (int i = 0; i < leaves.size(); i++) {
            Tensor t = leaves.get(i);
            if (t.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException(what + ": leaf " + i + " is " + t.type() + ", optimizers work on float32 tensors");
            }
            out.add(t.floatData());
        }
        return out;
    }

    /** {@code template}'s structure with leaf {@code i} replaced by {@code arrays.get(i)} in its shape. */
    public static Value pack(Value template, List<float[]> arrays) {
        List<Tensor> leaves = Structures.leaves(template);
        List<Tensor> out = new ArrayList<>(leaves.size());
        for (int i = 0; i < leaves.size(); i++) {
            out.add(Tensor.of(arrays.get(i), leaves.get(i).shape()));
        }
        return Structures.pack(template, out);
    }

    /** A value of {@code type} (tensors and structures of fully defined float32 tensors) filled with {@code v}. */
    public static Value filled(Type type, float v) {
        if (type instanceof TensorType t) {
            if (t.dtype() != DType.FLOAT32 || !t.isFullyDefined()) {
                throw new IllegalArgumentException("optimizers work on fully defined float32 tensors, got " + t);
            }
            float[] data = new float[Math.toIntExact(t.numElements())];
            if (v != 0f) {
                Arrays.fill(data, v);
            }
            return Tensor.of(data, t.shape());
        }
        if (type instanceof StructType s) {
            Struct.Builder b = Struct.builder();
            for (StructType.Field f : s.fields()) {
                b.add(f.name(), filled(f.type(), v));
            }
            return b.build();
        }
        throw new IllegalArgumentException("optimizers work on tensors and structures of tensors, got " + type);
    }
}
