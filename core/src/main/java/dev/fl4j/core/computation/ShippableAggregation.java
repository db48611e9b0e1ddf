package dev.fl4j.core.computation;

import dev.fl4j.core.Value;

/**
 * A {@link Aggregation} that another JVM can rebuild and whose accumulator crosses JVMs: what lets a
 * runtime that runs client work elsewhere (Spark executors) accumulate each block of clients where
 * they run and send back one partial accumulator per block instead of every client's value.
 *
 * <p>The receiving JVM rebuilds the aggregation from its {@link #descriptor()}, whose factory must be
 * a registered {@link ShippableAggregationFactory} ({@link ShippableAggregationFactories}: a
 * {@code ServiceLoader} allow-list; no class is loaded because a descriptor named it). The runtime
 * keeps the fold's shape of the local runtime: each block of clients is accumulated from
 * {@link #zero()} in client order, encoded with {@link #encodeAccumulator}, decoded where the blocks
 * meet with {@link #decodeAccumulator} and merged in block order, the first block's accumulator being
 * the start. The encoding must therefore be lossless (decoding what was encoded gives an accumulator
 * that behaves bitwise as the original), or the result would depend on where the clients ran.
 *
 * <p>An aggregation whose accumulator is every client's value (a median, Krum) gains nothing from
 * being shipped: its partials would carry every update to the runtime anyway. Such an aggregation
 * stays a plain {@link Aggregation}, and bounds its memory itself.
 *
 * @param <A> the accumulator
 */
public interface ShippableAggregation<A> extends Aggregation<A> {

    /** What another JVM rebuilds this aggregation from; its factory is a {@link ShippableAggregationFactory}. */
    ComputationDescriptor descriptor();

    /** The accumulator as a value that crosses JVMs ({@link dev.fl4j.core.io.ValueCodec}), losslessly. */
    Value encodeAccumulator(A accumulator);

    /**
     * An accumulator from {@link #encodeAccumulator}'s value (which may come from another JVM).
     *
     * @throws IllegalArgumentException if {@code encoded} is not an accumulator of this aggregation;
     *     the message says what does not fit
     */
    A decodeAccumulator(Value encoded);
}
