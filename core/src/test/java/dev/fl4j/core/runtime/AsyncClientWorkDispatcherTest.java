package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.ComputationFactories;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.computation.SequenceMeanFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dispatcher that says it dispatches asynchronously gets every client's chain at once from the
 * thread that runs the pass, and no worker waits for a result: with two workers and many clients,
 * all chains are out before any result is given, the workers' threads stay two, and whatever the
 * order the results come in, the round is bitwise the local runtime's.
 */
class AsyncClientWorkDispatcherTest {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final int WORKERS = 2;
    private static final String WORKER_PREFIX = "fl4j-worker-";

    /** A described mean over the data (the chain) and a lambda over it that runs on the server's workers. */
    private static final FederatedComputation ROUND = FederatedComputation.of(
            "async_round",
            StructType.of(FederatedType.clients(new SequenceType(F32))),
            FederatedType.server(StructType.of(F32, F32)),
            (ctx, arg) -> {
                FederatedValue data = (FederatedValue) ((Struct) arg).get(0);
                LocalComputation mean = ComputationFactories.resolve(SequenceMeanFactory.class.getName())
                        .create("3", null);
                FederatedValue means = ctx.federatedMap(mean, data);
                LocalComputation square = LocalComputation.of(
                        "square", F32, F32, v -> Tensor.scalar(((Tensor) v).floatValue() * ((Tensor) v).floatValue()));
                return ctx.federatedZip(
                        Struct.of(ctx.federatedSum(means), ctx.federatedSum(ctx.federatedMap(square, means))));
            });

    private static Struct argument(int clients) {
        List<String> ids = new ArrayList<>();
        List<Value> data = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ids.add("client" + i);
            data.add(ListSequence.ofFloats(i * 0.37f + 0.1f, (float) Math.sqrt(i), 1f / (i + 1)));
        }
        return Struct.of(ClientValues.of(ids, data));
    }

    private static long liveWorkers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(WORKER_PREFIX))
                .count();
    }

    /**
     * Holds every chain's stage until all {@code expected} are out, counting the runtime workers'
     * threads at that moment, then completes them in reverse client order from one thread of its own
     * (the network's, say); {@code failing} (or -1) fails instead.
     */
    private static class HeldBack implements ClientWorkDispatcher {
        final int expected;
        final int failing;
        final long workersBefore;
        final List<CompletableFuture<Value>> stages = new ArrayList<>();
        final List<Value> arguments = new ArrayList<>();
        final List<LocalComputation> chains = new ArrayList<>();
        volatile long workersWhileAllOut = -1;

        HeldBack(int expected, int failing) {
            this.expected = expected;
            this.failing = failing;
            this.workersBefore = liveWorkers();
        }

        @Override
        public boolean dispatches(LocalComputation fn) {
            return fn instanceof ShippedChain;
        }

        @Override
        public boolean dispatchesChains() {
            return true;
        }

        @Override
        public boolean dispatchesAsynchronously() {
            return true;
        }

        @Override
        public Value dispatch(int clientIndex, String clientId, LocalComputation fn, Value argument) {
            throw new AssertionError("an asynchronous dispatcher's chains are started with dispatchAsync");
        }

        @Override
        public synchronized CompletionStage<Value> dispatchAsync(
                int clientIndex, String clientId, LocalComputation fn, Value argument) {
            assertEquals(stages.size(), clientIndex, "chains are started in client order");
            CompletableFuture<Value> stage = new CompletableFuture<>();
            stages.add(stage);
            arguments.add(argument);
            chains.add(fn);
            if (stages.size() == expected) {
                workersWhileAllOut = liveWorkers() - workersBefore;
                Thread network = new Thread(this::completeInReverse, "test-network");
                network.setDaemon(true);
                network.start();
            }
            return stage;
        }

        synchronized void completeInReverse() {
            for (int i = stages.size() - 1; i >= 0; i--) {
                if (i == failing) {
                    stages.get(i).completeExceptionally(new IllegalStateException("client" + i + " reported failure"));
                } else {
                    stages.get(i)
                            .complete(chains.get(i).invoke(arguments.get(i), new StatelessClientContext("client" + i)));
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void everyChainIsOutAtOnceWithTwoWorkersAndTheRoundIsTheLocalRuntimes() {
        int clients = 200;
        Value local;
        CommunicationSnapshot localTraffic;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(WORKERS).build()) {
            local = rt.invoke(ROUND, argument(clients));
            localTraffic = rt.communication().snapshot();
        }
        HeldBack remote = new HeldBack(clients, -1);
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(WORKERS)
                .optClientWorkDispatcher(remote)
                .build()) {
            Value dispatched = rt.invoke(ROUND, argument(clients));
            assertEquals(local, dispatched, "folded in client order: bitwise the local runtime's");
            assertEquals(localTraffic, rt.communication().snapshot());
            long workersAfter = liveWorkers() - remote.workersBefore;
            assertEquals(clients, remote.stages.size());
            assertTrue(
                    remote.workersWhileAllOut >= 0 && remote.workersWhileAllOut <= WORKERS,
                    "all " + clients + " chains were out with " + remote.workersWhileAllOut + " new worker threads");
            assertTrue(workersAfter <= WORKERS, "the round used " + workersAfter + " worker threads");
        }
    }

    @Test
    @Timeout(60)
    void aFailedStageFailsTheRoundNamingTheClientAfterEveryStageEnded() {
        int clients = 30;
        HeldBack remote = new HeldBack(clients, 17);
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(WORKERS)
                .optClientWorkDispatcher(remote)
                .build()) {
            ClientWorkException e = assertThrows(ClientWorkException.class, () -> rt.invoke(ROUND, argument(clients)));
            assertEquals("client17", e.clientId());
            assertTrue(e.getMessage().contains("reported failure"), e.getMessage());
            assertTrue(remote.stages.stream().allMatch(CompletableFuture::isDone), "no stage is left running");
            assertEquals(0, rt.communication().recordCount(), "nothing of the failed round is counted");
        }
    }

    @Test
    @Timeout(60)
    void anInterruptedRoundCancelsTheStagesItWaitsFor() throws Exception {
        int clients = 25;
        CountDownLatch allOut = new CountDownLatch(1);
        HeldBack never = new HeldBack(clients, -1) {
            @Override
            synchronized void completeInReverse() {
                allOut.countDown(); // and never answers
            }
        };
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(WORKERS)
                .optClientWorkDispatcher(never)
                .build()) {
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread round = new Thread(() -> {
                try {
                    rt.invoke(ROUND, argument(clients));
                    thrown.complete(null);
                } catch (RuntimeException e) {
                    thrown.complete(e);
                }
            });
            round.start();
            allOut.await();
            round.interrupt();
            round.join();
            Throwable e = thrown.get();
            assertTrue(e != null && e.getMessage().contains("interrupted"), String.valueOf(e));
            assertTrue(
                    never.stages.stream().allMatch(CompletableFuture::isCancelled),
                    "every stage the round waited for was cancelled");
        }
    }
}
