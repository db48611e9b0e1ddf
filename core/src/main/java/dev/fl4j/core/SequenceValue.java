package dev.fl4j.core;

import java.util.Iterator;

/**
 * A sequence of values of one element type, TFF's {@code T*}: a client's dataset is one. Iteration
 * may be lazy and may be repeated; each call to {@link #iterator()} starts from the beginning.
 */
public interface SequenceValue extends Value, Iterable<Value> {

    /** The type of every element. */
    Type elementType();

    @Override
    Iterator<Value> iterator();

    /**
     * This sequence's elements as tensors, for a sequence whose element type is a {@link TensorType}: a
     * {@code float32*} of readings iterates as {@code for (Tensor r : readings.tensors())}. The view is lazy and
     * repeatable like the sequence; an element that is not a {@link Tensor} fails its iteration step with a
     * {@link TypeMismatchException} naming its index.
     *
     * @throws TypeMismatchException if the element type is not a tensor type
     */
    default Iterable<Tensor> tensors() {
        return elementsAs(Tensor.class, TensorType.class, "tensors");
    }

    /**
     * This sequence's elements as structures, for a sequence whose element type is a {@link StructType} (a
     * dataset of {@code <x=..,y=..>} batches); lazy and repeatable like {@link #tensors()}.
     *
     * @throws TypeMismatchException if the element type is not a structure type
     */
    default Iterable<Struct> structs() {
        return elementsAs(Struct.class, StructType.class, "structures");
    }

    private <E extends Value> Iterable<E> elementsAs(
            Class<E> elementClass, Class<? extends Type> elementTypeClass, String what) {
        Type elementType = elementType();
        if (!elementTypeClass.isInstance(elementType)) {
            throw TypeMismatchException.withMessage(
                    "sequence " + type() + " read as " + what + ": its elements are " + elementType + ", not " + what,
                    null,
                    elementType);
        }
        return () -> new Iterator<E>() {
            private final Iterator<Value> elements = iterator();
            private int index;

            @Override
            public boolean hasNext() {
                return elements.hasNext();
            }

            @Override
            public E next() {
                Value v = elements.next();
                int i = index++;
                if (!elementClass.isInstance(v)) {
                    throw TypeMismatchException.withMessage(
                            "sequence element " + i + ": expected " + elementType + " (a "
                                    + elementClass.getSimpleName() + ") but got " + v.type() + " (a "
                                    + v.getClass().getName() + ")",
                            elementType,
                            v.type());
                }
                return elementClass.cast(v);
            }
        };
    }

    @Override
    default Type type() {
        return new SequenceType(elementType());
    }

    @Override
    default long sizeInBits() {
        throw new UnsupportedOperationException("a sequence is not sent as a whole value; its size is unknown");
    }
}
