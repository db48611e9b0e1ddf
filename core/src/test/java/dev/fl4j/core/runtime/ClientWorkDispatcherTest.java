package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A local runtime with a {@link ClientWorkDispatcher} hands the client work it accepts to it and
 * folds what comes back as its own; other client work still runs on the workers.
 */
class ClientWorkDispatcherTest {

    private static final TensorType I32 = TensorType.scalar(DType.INT32);
    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);

    /** Runs nowhere: a dispatcher must answer for it. */
    private static final LocalComputation REMOTE = LocalComputation.of("remote_square", I32, F32, v -> {
        throw new AssertionError("dispatched work ran on a worker");
    });

    private static final LocalComputation PLUS_ONE =
            LocalComputation.of("plus_one", F32, F32, v -> Tensor.scalar(((Tensor) v).floatValue() + 1));

    private static final FederatedComputation ROUND = FederatedComputation.of(
            "dispatched_round", FederatedType.clients(I32), FederatedType.server(F32), (ctx, arg) -> {
                FederatedValue squared = ctx.federatedMap(REMOTE, (FederatedValue) arg);
                return ctx.federatedSum(ctx.federatedMap(PLUS_ONE, squared));
            });

    private static Value clients(int n) {
        List<Value> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(Tensor.scalar(i));
        }
        return FederatedValue.clients(ids);
    }

    /** Squares its argument "elsewhere" and records who asked. */
    private static class Squarer implements ClientWorkDispatcher {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public boolean dispatches(LocalComputation fn) {
            return fn == REMOTE;
        }

        @Override
        public Value dispatch(int clientIndex, String clientId, LocalComputation fn, Value argument) {
            calls.add(clientIndex + ":" + clientId);
            long x = ((Tensor) argument).longValue();
            return Tensor.scalar((float) (x * x));
        }
    }

    @Test
    void dispatchedWorkIsFoldedAndTheRestRunsOnTheWorkers() {
        Squarer squarer = new Squarer();
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(3)
                .optClientWorkDispatcher(squarer)
                .build()) {
            Value sum = rt.invoke(ROUND, clients(10));
            // sum of (i^2 + 1) for i < 10
            assertEquals(295f, ((Tensor) ((ServerValue) sum).value()).floatValue());
            assertEquals(10, squarer.calls.size());
            assertTrue(squarer.calls.contains("7:client_7"), squarer.calls.toString());
        }
    }

    @Test
    void aFailingDispatchFailsTheRoundNamingTheClient() {
        ClientWorkDispatcher failing = new Squarer() {
            @Override
            public Value dispatch(int clientIndex, String clientId, LocalComputation fn, Value argument) {
                if (clientIndex == 4) {
                    throw new IllegalStateException("client_4 missed the round deadline");
                }
                return super.dispatch(clientIndex, clientId, fn, argument);
            }
        };
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(2)
                .optClientWorkDispatcher(failing)
                .build()) {
            ClientWorkException e = assertThrows(ClientWorkException.class, () -> rt.invoke(ROUND, clients(8)));
            assertEquals("client_4", e.clientId());
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
            assertEquals(0, rt.communication().recordCount(), "nothing of the failed round is counted");
        }
    }

    @Test
    void aDispatchedResultOfTheWrongTypeIsRefused() {
        ClientWorkDispatcher wrong = new Squarer() {
            @Override
            public Value dispatch(int clientIndex, String clientId, LocalComputation fn, Value argument) {
                return Tensor.scalar(clientIndex);
            }
        };
        try (LocalRuntime rt = LocalRuntime.builder()
                .optWorkers(2)
                .optClientWorkDispatcher(wrong)
                .build()) {
            ClientWorkException e = assertThrows(ClientWorkException.class, () -> rt.invoke(ROUND, clients(3)));
            assertTrue(e.getMessage().contains("remote_square"), e.getMessage());
        }
    }
}
