package dev.fl4j.core;

import java.util.ArrayList;
import java.util.List;

/** The type of a structure: ordered fields, each optionally named, printed {@code <a=int32,float32>}. */
public record StructType(List<Field> fields) implements TypeOf<Struct> {

    /** One field; {@code name} is null for a positional field. */
    public record Field(String name, Type type) {
        public Field {
            if (type == null) {
                throw new IllegalArgumentException("field type must not be null");
            }
        }

        @Override
        public String toString() {
            return name == null ? type.toString() : name + "=" + type;
        }
    }

    public StructType {
        fields = List.copyOf(fields);
        List<String> seen = new ArrayList<>();
        for (Field f : fields) {
            if (f.name() != null) {
                if (seen.contains(f.name())) {
                    throw new IllegalArgumentException("duplicate field name '" + f.name() + "'");
                }
                seen.add(f.name());
            }
        }
    }

    /** A structure type of positional fields. */
    public static StructType of(Type... types) {
        List<Field> fs = new ArrayList<>();
        for (Type t : types) {
            fs.add(new Field(null, t));
        }
        return new StructType(fs);
    }

    /** Starts a structure type of named fields. */
    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return fields.size();
    }

    public Type get(int index) {
        return fields.get(index).type();
    }

    public Type get(String name) {
        for (Field f : fields) {
            if (name.equals(f.name())) {
                return f.type();
            }
        }
        throw new IllegalArgumentException("no field '" + name + "' in " + this);
    }

    public boolean has(String name) {
        return fields.stream().anyMatch(f -> name.equals(f.name()));
    }

    @Override
    public boolean isAssignableFrom(Type other) {
        if (!(other instanceof StructType s) || s.fields.size() != fields.size()) {
            return false;
        }
        for (int i = 0; i < fields.size(); i++) {
            Field mine = fields.get(i);
            Field theirs = s.fields.get(i);
            if (mine.name() != null && theirs.name() != null && !mine.name().equals(theirs.name())) {
                return false;
            }
            if (!mine.type().isAssignableFrom(theirs.type())) {
                return false;
            }
        }
        return true;
    }

    /** A typed computation body for this type receives a {@link Struct}. */
    @Override
    public Class<Struct> valueClass() {
        return Struct.class;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<");
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(fields.get(i));
        }
        return sb.append('>').toString();
    }

    /** Builds a structure type field by field. */
    public static final class Builder {
        private final List<Field> fields = new ArrayList<>();

        public Builder add(String name, Type type) {
            fields.add(new Field(name, type));
            return this;
        }

        public Builder add(Type type) {
            return add(null, type);
        }

        public StructType build() {
            return new StructType(fields);
        }
    }
}
