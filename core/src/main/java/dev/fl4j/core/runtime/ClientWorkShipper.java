package dev.fl4j.core.runtime;

import dev.fl4j.core.Value;
import java.util.List;

/**
 * Runs the shippable part of a pass of client work somewhere else (Spark executors, say) and hands
 * the results back in client order. A {@link LocalRuntime} built with
 * {@link LocalRuntime.Builder#optClientWorkShipper} calls it whenever a pass of pending client work
 * has computations that can be rebuilt in another JVM ({@link ShippedPass}); everything else of the
 * pass (glue without a descriptor, every aggregation's fold) stays in the calling JVM and runs, for
 * each client, on the results handed to the sink, exactly as it would without a shipper. Since the
 * shipped computations run on the same inputs and their results cross losslessly
 * ({@link dev.fl4j.core.io.ValueCodec}), and the fold runs in client order on the same code, a pass
 * ends bitwise the same as on the local runtime.
 */
@FunctionalInterface
public interface ClientWorkShipper {

    /**
     * Runs {@code pass} for every client {@code 0..pass.clientIds().size()-1} and hands client
     * {@code i}'s results ({@link ShippedPass.Compiled#runClient}) to {@code sink} with index
     * {@code i}, in increasing index order, from the calling thread. A client whose work failed is
     * handed to the sink as nothing: the shipper throws instead, after the clients before it were
     * folded, a {@link dev.fl4j.core.computation.ClientWorkException} naming the client.
     *
     * @throws Exception what the sink threw, or the failure of the lowest failing client
     */
    void run(ShippedPass pass, OrderedFold.Sink<List<Value>> sink) throws Exception;

    /**
     * Whether this shipper folds whole blocks of clients where they run ({@link #runBlocks}); default
     * false. The runtime then hands it, instead of {@link #run}, every pass whose aggregations all
     * fold by blocks ({@link ShippedPass#blockFolds()}).
     */
    default boolean foldsBlocks() {
        return false;
    }

    /**
     * Runs {@code pass} for every client and folds them where they run, block by block
     * ({@link BlockFolds}: each block's clients in client order into a {@link BlockFolds.Block}),
     * and hands block {@code b}'s {@linkplain BlockFolds.Block#partial partial} to {@code blocks} with
     * index {@code b}, in increasing block order, from the calling thread. Nothing of a client other
     * than its part of a block's partial need come back.
     *
     * @throws Exception what the sink threw; the failure of the lowest failing client (a
     *     {@link dev.fl4j.core.computation.ClientWorkException} naming it); or, when a fold refused a
     *     client's value, an {@link IllegalArgumentException} with the fold's message
     */
    default void runBlocks(ShippedPass pass, OrderedFold.Sink<Value> blocks) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " does not fold blocks of clients");
    }
}
