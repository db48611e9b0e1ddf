package dev.fl4j.bench;

import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client dataset that adds, to a shared counter, the time from the start of each pass over it to
 * the moment the pass finds no further element. A trainer iterates its data while it trains, so
 * the counter collects the time clients spend in their training loops; what a round takes beyond
 * that (weight assignment and read-back, updates, aggregation, scheduling) is overhead.
 */
final class TimedSequence implements SequenceValue {

    private final SequenceValue data;
    private final LongAdder nanos;
    private final Runnable onPassEnd;

    TimedSequence(SequenceValue data, LongAdder nanos) {
        this(data, nanos, null);
    }

    /** As above; {@code onPassEnd} (if not null) runs on the reading thread when a pass ends. */
    TimedSequence(SequenceValue data, LongAdder nanos, Runnable onPassEnd) {
        this.data = data;
        this.nanos = nanos;
        this.onPassEnd = onPassEnd;
    }

    @Override
    public Type elementType() {
        return data.elementType();
    }

    @Override
    public Iterator<Value> iterator() {
        Iterator<Value> it = data.iterator();
        long start = System.nanoTime();
        return new Iterator<>() {
            private boolean done;

            @Override
            public boolean hasNext() {
                boolean more = it.hasNext();
                if (!more && !done) {
                    done = true;
                    nanos.add(System.nanoTime() - start);
                    if (onPassEnd != null) {
                        onPassEnd.run();
                    }
                }
                return more;
            }

            @Override
            public Value next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return it.next();
            }
        };
    }
}
