package dev.fl4j.simulation.data;

import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import java.util.Iterator;
import java.util.function.Supplier;

/** A dataset made by {@code source} each time it is iterated, so nothing is held between uses. */
final class LazyDataset extends ValuePipeline {
    private final Type elementType;
    private final Supplier<Dataset> source;

    LazyDataset(Type elementType, Supplier<Dataset> source) {
        this.elementType = elementType;
        this.source = source;
    }

    @Override
    public Type elementType() {
        return elementType;
    }

    @Override
    Iterator<Value> values(long salt) {
        Dataset d = source.get();
        if (!elementType.isAssignableFrom(d.elementType())) {
            throw new TypeMismatchException("lazily loaded dataset", elementType, d.elementType());
        }
        return d.values(salt);
    }
}
