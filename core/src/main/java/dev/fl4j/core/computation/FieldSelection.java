package dev.fl4j.core.computation;

import dev.fl4j.core.DType;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.TypeCodec;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The computation behind {@link FederatedContext#federatedField} on client values: field
 * {@code name} of a structure. It describes itself ({@link #descriptor()}: the structure's type and
 * the field's name, see {@link Factory}), so a runtime that runs a client's work elsewhere (a
 * remote client, a Spark executor) can run the selections with the rest of the client's work and
 * send back only the fields the server needs.
 */
public final class FieldSelection extends LocalComputation {

    private final String field;

    private FieldSelection(StructType type, String field) {
        super("select_" + field, new FunctionType(type, type.get(field)));
        this.field = field;
    }

    /**
     * Selects {@code field} of structures of {@code type}.
     *
     * @throws IllegalArgumentException if {@code type} has no field of that name
     */
    public static FieldSelection of(StructType type, String field) {
        if (field == null || !type.has(field)) {
            throw new IllegalArgumentException("structure " + type + " has no field '" + field + "'");
        }
        return new FieldSelection(type, field);
    }

    @Override
    protected Value apply(Value arg, ClientContext context) {
        return ((Struct) arg).get(field);
    }

    @Override
    public Optional<ComputationDescriptor> descriptor() {
        byte[] name = field.getBytes(StandardCharsets.UTF_8);
        return Optional.of(ComputationDescriptor.of(
                Factory.class,
                "",
                Struct.named("type", TypeCodec.toValue(type().parameter()), "field", Tensor.of(name, name.length))));
    }

    /**
     * Rebuilds a {@link FieldSelection} from a payload {@code <type=<type>, field=uint8[?]>}
     * ({@link TypeCodec} for the type, UTF-8 for the name).
     */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            if (!(payload instanceof Struct p) || p.size() != 2 || !p.has("type") || !p.has("field")) {
                throw new MalformedDataException("a field selection's payload must be <type=..,field=uint8[?]>, got "
                        + (payload == null ? "none" : payload.type()));
            }
            Type type = TypeCodec.fromValue(p.get("type"));
            if (!(type instanceof StructType st)) {
                throw new MalformedDataException("a field selection selects from a structure, not " + type);
            }
            if (!(p.get("field") instanceof Tensor t) || t.dtype() != DType.UINT8 || t.rank() != 1) {
                throw new MalformedDataException("a field selection's field must be uint8[?] text, got "
                        + p.get("field").type());
            }
            String field = new String(t.byteData(), StandardCharsets.UTF_8);
            if (!st.has(field)) {
                throw new MalformedDataException(
                        "a field selection names field '" + field + "' that " + st + " does not have");
            }
            return new FieldSelection(st, field);
        }
    }
}
