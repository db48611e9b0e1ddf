package dev.fl4j.core;

import dev.fl4j.core.types.SequenceType;
import dev.fl4j.core.types.Type;
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

    @Override
    default Type type() {
        return new SequenceType(elementType());
    }

    @Override
    default long sizeInBits() {
        throw new UnsupportedOperationException("a sequence is not sent as a whole value; its size is unknown");
    }
}
