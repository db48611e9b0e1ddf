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
}
