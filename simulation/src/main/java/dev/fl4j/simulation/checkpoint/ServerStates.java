package dev.fl4j.simulation.checkpoint;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;

/**
 * Converts a process state between its runtime form, where parts are placed at the server
 * ({@code <global_model_weights=W@SERVER,…>}), and a placement-free form that the value codec can
 * store: {@link #strip} replaces every server value by its contents, {@link #restore} puts them back
 * where the state type says. States holding client-placed values cannot be stored (a server-side
 * checkpoint has no business holding client data).
 */
public final class ServerStates {

    private ServerStates() {}

    /** {@code state} without placements. */
    public static Value strip(Value state) {
        if (state instanceof ServerValue s) {
            return strip(s.value());
        }
        if (state instanceof Struct s) {
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < s.size(); i++) {
                b.add(s.nameAt(i), strip(s.get(i)));
            }
            return b.build();
        }
        if (state instanceof Tensor || state instanceof SequenceValue) {
            return state;
        }
        throw new IllegalArgumentException(
                "cannot store a state part of type " + state.type() + ": only server-placed tensors and structures");
    }

    /**
     * Puts placements back: every part whose declared type in {@code stateType} is
     * {@code T@SERVER} becomes a server value. The result is checked against {@code stateType}.
     *
     * @throws IllegalArgumentException if {@code plain} does not have the shape of {@code stateType}
     */
    public static Value restore(Value plain, Type stateType) {
        Value v = wrap(plain, stateType, "state");
        if (!stateType.isAssignableFrom(v.type())) {
            throw new IllegalArgumentException(
                    "stored state has type " + v.type() + " but the process state is " + stateType);
        }
        return v;
    }

    private static Value wrap(Value plain, Type type, String where) {
        if (type instanceof FederatedType f) {
            if (f.placement() != Placement.SERVER) {
                throw new IllegalArgumentException(
                        where + ": state parts placed at " + f.placement() + " cannot be restored");
            }
            return new ServerValue(wrap(plain, f.member(), where));
        }
        if (type instanceof StructType st) {
            if (!(plain instanceof Struct s) || s.size() != st.size()) {
                throw new IllegalArgumentException(where + ": expected a structure of " + st.size() + " fields (" + st
                        + ") but the checkpoint holds " + plain.type());
            }
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < s.size(); i++) {
                String name = st.fields().get(i).name();
                if (name != null && !name.equals(s.nameAt(i))) {
                    throw new IllegalArgumentException(where + ": field " + i + " should be '" + name
                            + "' but the checkpoint has '" + s.nameAt(i) + "'");
                }
                b.add(
                        s.nameAt(i),
                        wrap(
                                s.get(i),
                                st.fields().get(i).type(),
                                where + "/" + (name != null ? name : String.valueOf(i))));
            }
            return b.build();
        }
        return plain;
    }
}
