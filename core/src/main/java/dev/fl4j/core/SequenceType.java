package dev.fl4j.core;

/** The type of a sequence (a dataset) of elements of one type, printed {@code T*}. */
public record SequenceType(Type element) implements TypeOf<SequenceValue> {

    public SequenceType {
        if (element == null) {
            throw new IllegalArgumentException("sequence element type must not be null");
        }
        if (element instanceof FederatedType || element instanceof FunctionType) {
            throw new IllegalArgumentException("a sequence cannot hold " + element);
        }
    }

    @Override
    public boolean isAssignableFrom(Type other) {
        return other instanceof SequenceType s && element.isAssignableFrom(s.element);
    }

    /** A typed computation body for this type receives a {@link SequenceValue}. */
    @Override
    public Class<SequenceValue> valueClass() {
        return SequenceValue.class;
    }

    @Override
    public String toString() {
        return element + "*";
    }
}
