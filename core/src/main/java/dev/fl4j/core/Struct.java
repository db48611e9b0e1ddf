package dev.fl4j.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An ordered structure of values, each field optionally named: TFF's {@code Struct}. Fields are
 * read by position or by name; names, where present, are unique. Structures nest, and the helpers
 * in {@link Structures} map and zip over their tensor leaves.
 */
public final class Struct implements Value {

    private static final Struct EMPTY = new Struct(List.of(), List.of());

    private final List<String> names;
    private final List<Value> values;

    private Struct(List<String> names, List<Value> values) {
        this.names = names;
        this.values = values;
    }

    /** The empty structure {@code <>}. */
    public static Struct empty() {
        return EMPTY;
    }

    /** A structure of positional (unnamed) fields. */
    public static Struct of(Value... values) {
        Builder b = builder();
        for (Value v : values) {
            b.add(v);
        }
        return b.build();
    }

    /** A structure of positional fields. */
    public static Struct of(List<? extends Value> values) {
        Builder b = builder();
        values.forEach(b::add);
        return b.build();
    }

    /** A structure of one named field. */
    public static Struct named(String name, Value value) {
        return builder().add(name, value).build();
    }

    /** A structure of two named fields. */
    public static Struct named(String n1, Value v1, String n2, Value v2) {
        return builder().add(n1, v1).add(n2, v2).build();
    }

    /** A structure of three named fields. */
    public static Struct named(String n1, Value v1, String n2, Value v2, String n3, Value v3) {
        return builder().add(n1, v1).add(n2, v2).add(n3, v3).build();
    }

    /** A structure of named fields in the map's iteration order. */
    public static Struct ofMap(Map<String, ? extends Value> fields) {
        Builder b = builder();
        fields.forEach(b::add);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return values.size();
    }

    public Value get(int index) {
        if (index < 0 || index >= values.size()) {
            throw new IndexOutOfBoundsException(
                    "field " + index + " of a structure with " + values.size() + " fields " + type());
        }
        return values.get(index);
    }

    public Value get(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no field '" + name + "' in " + type());
        }
        return values.get(i);
    }

    /** Field {@code name} as a tensor. */
    public Tensor tensor(String name) {
        return asTensor(get(name), name);
    }

    /** Field {@code index} as a tensor. */
    public Tensor tensor(int index) {
        return asTensor(get(index), "#" + index);
    }

    /** Field {@code name} as a structure. */
    public Struct struct(String name) {
        Value v = get(name);
        if (!(v instanceof Struct s)) {
            throw new IllegalStateException("field '" + name + "' is " + v.type() + ", not a structure");
        }
        return s;
    }

    private static Tensor asTensor(Value v, String field) {
        if (!(v instanceof Tensor t)) {
            throw new IllegalStateException("field '" + field + "' is " + v.type() + ", not a tensor");
        }
        return t;
    }

    public boolean has(String name) {
        return names.contains(name);
    }

    /** Name of field {@code index}, or null if it is positional. */
    public String nameAt(int index) {
        return names.get(index);
    }

    /** Field names in order, null for positional fields. */
    public List<String> names() {
        return Collections.unmodifiableList(names);
    }

    public List<Value> values() {
        return values;
    }

    /** Named fields as an ordered map; fails if any field is positional. */
    public Map<String, Value> toMap() {
        Map<String, Value> m = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            if (names.get(i) == null) {
                throw new IllegalStateException("field " + i + " of " + type() + " has no name");
            }
            m.put(names.get(i), values.get(i));
        }
        return m;
    }

    /** A copy with field {@code name} replaced (or appended if absent). */
    public Struct with(String name, Value value) {
        Builder b = builder();
        boolean replaced = false;
        for (int i = 0; i < values.size(); i++) {
            if (name.equals(names.get(i))) {
                b.add(name, value);
                replaced = true;
            } else {
                b.add(names.get(i), values.get(i));
            }
        }
        if (!replaced) {
            b.add(name, value);
        }
        return b.build();
    }

    @Override
    public StructType type() {
        List<StructType.Field> fields = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            fields.add(new StructType.Field(names.get(i), values.get(i).type()));
        }
        return new StructType(fields);
    }

    @Override
    public long sizeInBits() {
        long bits = 0;
        for (Value v : values) {
            bits += v.sizeInBits();
        }
        return bits;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Struct s && s.names.equals(names) && s.values.equals(values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            if (names.get(i) != null) {
                sb.append(names.get(i)).append('=');
            }
            sb.append(values.get(i));
        }
        return sb.append('>').toString();
    }

    /** Builds a structure field by field; names must be unique. */
    public static final class Builder {
        private final List<String> names = new ArrayList<>();
        private final List<Value> values = new ArrayList<>();

        private Builder() {}

        /** Appends a positional field. */
        public Builder add(Value value) {
            return add(null, value);
        }

        /** Appends a field; {@code name} may be null for a positional field. */
        public Builder add(String name, Value value) {
            Objects.requireNonNull(
                    value, () -> "value of field " + (name == null ? "#" + values.size() : "'" + name + "'"));
            if (name != null && names.contains(name)) {
                throw new IllegalArgumentException("duplicate field name '" + name + "'");
            }
            names.add(name);
            values.add(value);
            return this;
        }

        public Struct build() {
            return values.isEmpty() ? EMPTY : new Struct(new ArrayList<>(names), List.copyOf(values));
        }
    }
}
