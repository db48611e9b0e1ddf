package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Closing a runtime whose caller gave up never frees a worker's resources (an engine session) while client work still
 * uses them.
 */
class RuntimeCloseTest {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);

    /** Blocks until {@code latch} opens, ignoring interrupts, as a native engine call does. */
    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void closeAfterAnInterruptWaitsForRunningClientWorkBeforeClosingItsSession() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean inNativeCall = new AtomicBoolean();
        AtomicInteger closes = new AtomicInteger();
        AtomicBoolean closedWhileInUse = new AtomicBoolean();
        LocalComputation blocking = LocalComputation.withContext("blocking", F32, F32, (v, ctx) -> {
            ctx.workerResource("session", () -> (AutoCloseable) () -> {
                closes.incrementAndGet();
                closedWhileInUse.compareAndSet(false, inNativeCall.get());
            });
            inNativeCall.set(true);
            started.countDown();
            awaitIgnoringInterrupts(release);
            inNativeCall.set(false);
            return v;
        });
        FederatedComputation comp = FederatedComputation.of(
                "comp",
                FederatedType.clients(F32),
                FederatedType.server(F32),
                (ctx, v) -> ctx.federatedSum(ctx.federatedMap(blocking, (FederatedValue) v)));
        LocalRuntime runtime = LocalRuntime.builder().optWorkers(1).build();
        AtomicReference<Throwable> invokeFailure = new AtomicReference<>();
        Thread caller = new Thread(
                () -> {
                    try {
                        runtime.invoke(comp, FederatedValue.clients(List.of(Tensor.scalar(1f), Tensor.scalar(2f))));
                    } catch (Throwable t) {
                        invokeFailure.set(t);
                    } finally {
                        runtime.close();
                    }
                },
                "caller");
        caller.start();
        started.await();
        caller.interrupt();
        caller.join(500);
        assertEquals(0, closes.get(), "the session was closed while the worker was still inside its engine call");
        release.countDown();
        caller.join(10_000);
        assertFalse(caller.isAlive(), "close returns once the worker is done");
        assertInstanceOf(IllegalStateException.class, invokeFailure.get());
        assertTrue(
                invokeFailure.get().getMessage().contains("interrupted"),
                invokeFailure.get().getMessage());
        assertEquals(1, closes.get(), "the session is closed once, after the worker left it");
        assertFalse(closedWhileInUse.get());
    }
}
