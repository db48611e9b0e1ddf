package dev.fl4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.PortableClientLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients loaded where they train are told done to the driver as their tasks complete, not only when the pass
 * returns: the last partition's task (on {@code local[2]}, it starts when an earlier one has ended) does not load its
 * clients until the driver has been told of an earlier partition's clients, which it could not be if the driver
 * heard of them only at the end of the pass; and every client is told exactly once. Both ways a pass runs: folding
 * by blocks in the executors, and bringing the clients' results to the driver.
 */
class SparkClientProgressTest {

    private static JavaSparkContext sc;
    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final int CLIENTS = 12;

    /** Counted down when the driver is first told of a client done; the last partition's load waits for it. */
    private static volatile CountDownLatch firstTold = new CountDownLatch(1);

    private static final AtomicInteger LOADED_ON_THE_DRIVER = new AtomicInteger();

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(SparkRuntime.defaultConf("local[2]"));
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) {
            sc.stop();
        }
    }

    /** Client {@code c<i>} holds the float {@code i}; told clients go to {@link #told}. */
    private static final class Numbers implements PortableClientLoader {
        final ConcurrentLinkedQueue<String> told = new ConcurrentLinkedQueue<>();

        @Override
        public Value apply(String id) {
            LOADED_ON_THE_DRIVER.incrementAndGet();
            return Tensor.scalar((float) Integer.parseInt(id.substring(1)));
        }

        @Override
        public Batch locate(List<String> ids) {
            return new Located(ids.toArray(new String[0]));
        }

        @Override
        public void loadedElsewhere(String clientId) {
            told.add(clientId);
            firstTold.countDown();
        }
    }

    private record Located(String[] ids) implements PortableClientLoader.Batch {
        private static final long serialVersionUID = 1L;

        @Override
        public int size() {
            return ids.length;
        }

        @Override
        public List<Value> load() {
            if (List.of(ids).contains("c" + (CLIENTS - 1))) {
                try {
                    if (!firstTold.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the driver was told of no client while the pass ran");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            List<Value> out = new ArrayList<>();
            for (String id : ids) {
                out.add(Tensor.scalar((float) Integer.parseInt(id.substring(1))));
            }
            return out;
        }
    }

    private static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            ids.add("c" + i);
        }
        return ids;
    }

    /** The sum of the scaled values: folds by blocks in the executors. */
    private static FederatedComputation foldedThere() {
        return FederatedComputation.of(
                "scaled_sum",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, x) -> ctx.federatedSum(ctx.federatedMap(new ScaleOrFail(""), (FederatedValue) x)));
    }

    /** The sum of the scaled values plus one: the undescribed map brings the clients' results to the driver. */
    private static FederatedComputation foldedHere() {
        LocalComputation plusOne =
                LocalComputation.of("plus_one", F32, F32, v -> Tensor.scalar(((Tensor) v).floatValue() + 1));
        return FederatedComputation.of(
                "scaled_sum_plus_one",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, x) -> ctx.federatedSum(
                        ctx.federatedMap(plusOne, ctx.federatedMap(new ScaleOrFail(""), (FederatedValue) x))));
    }

    private static Value run(FederatedRuntime rt, FederatedComputation c, Numbers loader) {
        return rt.invoke(c, ClientValues.lazy(F32, ids(), loader));
    }

    @Test
    void clientsLoadedInTheExecutorsAreToldDoneAsTheirTasksEnd() {
        for (FederatedComputation c : List.of(foldedThere(), foldedHere())) {
            Value local;
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
                local = run(rt, c, new Numbers());
            }
            firstTold = new CountDownLatch(1);
            LOADED_ON_THE_DRIVER.set(0);
            Numbers loader = new Numbers();
            int clientPasses = SparkShipper.clientResultPasses.get();
            try (SparkRuntime rt = SparkRuntime.builder()
                    .optSparkContext(sc)
                    .optPartitions(3)
                    .optInFlight(2)
                    .build()) {
                assertEquals(local, run(rt, c, loader), c.name());
            }
            assertEquals(
                    c.name().equals("scaled_sum") ? clientPasses : clientPasses + 1,
                    SparkShipper.clientResultPasses.get(),
                    c.name() + ": the pass ran the way this case is about");
            assertEquals(0, LOADED_ON_THE_DRIVER.get(), c.name() + ": every client loaded in the executors");
            assertEquals(
                    ids(),
                    loader.told.stream()
                            .sorted((a, b) ->
                                    Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1))))
                            .toList(),
                    c.name() + ": every client told once");
            assertTrue(firstTold.getCount() == 0, c.name());
        }
    }
}
