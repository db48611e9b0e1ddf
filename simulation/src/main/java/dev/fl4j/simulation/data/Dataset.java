package dev.fl4j.simulation.data;

import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * One client's dataset as a lazy, restartable pipeline, TFF's {@code tf.data.Dataset} as a client
 * sees it: {@link #shuffle}, {@link #repeat}, {@link #batch}, {@link #map} and {@link #take} build
 * new datasets and read nothing; iteration runs the pipeline from the start each time.
 *
 * <p><b>No object per example.</b> Over {@link Examples} the operations before {@code batch} work
 * on example row numbers only (an {@code int[]} shuffle buffer, a counter); {@code batch} copies
 * the chosen rows straight from the flat column arrays into one tensor per column. Elements of a
 * batched dataset are structures {@code <x=float32[b,28,28,1],y=int32[b]>} whose type has an unknown
 * batch dimension ({@code float32[?,28,28,1]}), so a last short batch fits the same type. Iterating
 * an unbatched dataset, or mapping it before batching, makes one structure per example; that is
 * correct but meant for small data.
 *
 * <p><b>Determinism.</b> A shuffle's order is fixed by its seed and by which repetition of an
 * enclosing {@link #repeat} it is in, so {@code shuffle(b, s).repeat(3)} sees three different
 * orders, and the same three every time the dataset is iterated.
 *
 * <p>Datasets are immutable and may be iterated from several threads at once (each iterator is
 * independent), provided the functions given to {@link #map} are thread-safe.
 */
public abstract class Dataset implements SequenceValue {

    Dataset() {}

    /** All rows of {@code examples}, in order. */
    public static Dataset of(Examples examples) {
        return new IndexPipeline.Rows(Objects.requireNonNull(examples, "examples"), null);
    }

    /**
     * The given rows of {@code examples}, in that order, without copying the data: how a
     * partition of a centralised dataset becomes client datasets.
     */
    public static Dataset of(Examples examples, int[] rows) {
        for (int r : rows) {
            if (r < 0 || r >= examples.size()) {
                throw new IndexOutOfBoundsException("row " + r + " of examples with " + examples.size() + " rows");
            }
        }
        return new IndexPipeline.Rows(examples, rows.clone());
    }

    /** A dataset of values held in a list, each checked against {@code elementType}. */
    public static Dataset fromValues(Type elementType, List<? extends Value> values) {
        return new ValuePipeline.FromList(elementType, values);
    }

    /**
     * The elements of {@code datasets} one dataset after the other; each is iterated only when
     * reached. All must have element types that fit {@code elementType}.
     */
    public static Dataset concatenate(Type elementType, List<? extends Dataset> datasets) {
        return new ValuePipeline.Concat(elementType, List.copyOf(datasets));
    }

    @Override
    public abstract Type elementType();

    @Override
    public final Iterator<Value> iterator() {
        return values(0L);
    }

    /** Iterates with a salt that tells shuffles which repetition they are in. */
    abstract Iterator<Value> values(long salt);

    /**
     * Shuffles with a buffer of {@code bufferSize} elements, as {@code tf.data} does: the buffer is
     * filled, then each output is a uniformly chosen buffer element, replaced by the next input. A
     * buffer at least as large as the dataset gives a uniform permutation.
     */
    public abstract Dataset shuffle(int bufferSize, long seed);

    /** The dataset {@code count} times over; each repetition reshuffles differently. */
    public abstract Dataset repeat(int count);

    /** At most the first {@code count} elements. */
    public abstract Dataset take(int count);

    /**
     * Consecutive elements in batches of {@code size}; a last smaller batch is kept (tf.data's {@code batch(size)}).
     */
    public final Dataset batch(int size) {
        return batch(size, false);
    }

    /**
     * Consecutive elements in batches of exactly {@code size}; a last short batch is dropped (tf.data's {@code
     * drop_remainder=True}).
     */
    public final Dataset batchDropRemainder(int size) {
        return batch(size, true);
    }

    /** The two batchings above, implemented by the pipelines of this package. */
    abstract Dataset batch(int size, boolean dropRemainder);

    /**
     * Applies {@code fn} to every element; the result must keep the element type (e.g. scaling
     * pixels). Each result is checked against it while iterating.
     */
    public final Dataset map(Function<? super Value, ? extends Value> fn) {
        return map(elementType(), fn);
    }

    /** Applies {@code fn} to every element, producing elements of {@code resultType} (checked). */
    public Dataset map(Type resultType, Function<? super Value, ? extends Value> fn) {
        return new ValuePipeline.Mapped(this, resultType, fn);
    }

    /**
     * This dataset, unchanged, telling {@code passNanos} how long each complete pass over it took:
     * the nanoseconds from the start of an iteration to the moment it finds no further element.
     * A trainer iterates its data while it trains, so over a client's batches this is the time the
     * client spent in its training loop (how benchmarks tell local training from round overhead).
     * Called on the iterating thread, once per pass that reaches the end; a pass abandoned early
     * reports nothing.
     */
    public final Dataset timingPasses(LongConsumer passNanos) {
        return new ValuePipeline.TimedPasses(this, Objects.requireNonNull(passNanos, "passNanos"));
    }

    /** Number of elements, counted by iterating (cheap for unbatched and batched example data). */
    public long count() {
        long n = 0;
        for (Iterator<Value> it = iterator(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }

    static int requirePositive(int v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
        return v;
    }

    static int requireRepeatCount(int count) {
        if (count <= 0 && count != -1) {
            throw new IllegalArgumentException("repeat count must be positive (or -1 for forever), got " + count);
        }
        return count;
    }

    /** The dataset repeated without end; iterate it with {@link #take} or stop yourself. */
    public final Dataset repeat() {
        return repeat(-1);
    }

    @Override
    public String toString() {
        return "Dataset<" + elementType() + ">";
    }
}
