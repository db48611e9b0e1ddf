package dev.fl4j.core;

import java.util.Iterator;
import java.util.List;

/** A sequence held as a list of values in memory, with a declared element type. */
public final class ListSequence implements SequenceValue {

    private final Type elementType;
    private final List<Value> elements;

    private ListSequence(Type elementType, List<Value> elements) {
        this.elementType = elementType;
        this.elements = elements;
    }

    /** A sequence of {@code elements}, each checked against {@code elementType}. */
    public static ListSequence of(Type elementType, List<? extends Value> elements) {
        for (int i = 0; i < elements.size(); i++) {
            Value v = elements.get(i);
            if (!elementType.isAssignableFrom(v.type())) {
                throw new TypeMismatchException("sequence element " + i, elementType, v.type());
            }
        }
        return new ListSequence(elementType, List.copyOf(elements));
    }

    /** A sequence of scalar float32 values, e.g. temperature readings. */
    public static ListSequence ofFloats(float... values) {
        Value[] vs = new Value[values.length];
        for (int i = 0; i < values.length; i++) {
            vs[i] = Tensor.scalar(values[i]);
        }
        return new ListSequence(TensorType.scalar(DType.FLOAT32), List.of(vs));
    }

    @Override
    public Type elementType() {
        return elementType;
    }

    @Override
    public Iterator<Value> iterator() {
        return elements.iterator();
    }

    public int length() {
        return elements.size();
    }

    public List<Value> elements() {
        return elements;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ListSequence s && s.elementType.equals(elementType) && s.elements.equals(elements);
    }

    @Override
    public int hashCode() {
        return elementType.hashCode() * 31 + elements.hashCode();
    }

    @Override
    public String toString() {
        return elements.toString() + " : " + type();
    }
}
