package dev.fl4j.deploy.server;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.ShippedChain;

/**
 * The results of a client chain whose client keeps some for a secure sum
 * ({@link ShippedChain#secureSummed}): in their place the client sends an int32 scalar 0, and the fold,
 * which under client-side masking reads only their type, gets zeros of their type.
 */
final class SecureSummedResults {

    static final TensorType PLACEHOLDER = TensorType.scalar(DType.INT32);

    private SecureSummedResults() {}

    /** The result type the client sends for {@code fn}: the kept results replaced by the placeholder. */
    static Type sentType(LocalComputation fn, boolean secure) {
        if (!secure || !(fn instanceof ShippedChain chain) || !(fn.type().result() instanceof StructType st)) {
            return fn.type().result();
        }
        int[] kept = chain.secureSummed();
        StructType.Builder b = StructType.builder();
        for (int k = 0; k < st.size(); k++) {
            b.add(st.fields().get(k).name(), kept[k] > 0 ? PLACEHOLDER : st.get(k));
        }
        return b.build();
    }

    /** {@code sent} with zeros of {@code full}'s types where the client kept a result. */
    static Struct inflate(Struct sent, Type full, int[] secureSummed) {
        StructType st = (StructType) full;
        Struct.Builder b = Struct.builder();
        for (int k = 0; k < st.size(); k++) {
            Value v = sent.get(k);
            if (secureSummed[k] > 0) {
                v = Structures.zeros(st.get(k));
            }
            b.add(st.fields().get(k).name(), v);
        }
        return b.build();
    }
}
