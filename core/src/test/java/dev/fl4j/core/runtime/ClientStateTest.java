package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientWorkException;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.ValueCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-client state kept by the runtime across invocations (rounds). */
class ClientStateTest {

    static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    static final String KEY = "running_total";

    /** Adds the client's value to its running total (kept as client state) and returns the new total; fails on NaN. */
    static final LocalComputation RUNNING_TOTAL =
            LocalComputation.withContext("running_total", F32, F32, (v, client) -> {
                float x = ((Tensor) v).floatValue();
                if (Float.isNaN(x)) {
                    throw new IllegalArgumentException("NaN input");
                }
                float total = client.clientState(KEY)
                                .map(s -> ((Tensor) s).floatValue())
                                .orElse(0f)
                        + x;
                client.setClientState(KEY, Tensor.scalar(total));
                return Tensor.scalar(total);
            });

    static final FederatedComputation ROUND = FederatedComputation.of(
            "round",
            FederatedType.clients(F32),
            FederatedType.server(F32),
            (ctx, arg) -> ctx.federatedSum(ctx.federatedMap(RUNNING_TOTAL, (FederatedValue) arg)));

    static ClientValues values(List<String> ids, float... xs) {
        List<Value> members = new ArrayList<>();
        for (float x : xs) {
            members.add(Tensor.scalar(x));
        }
        return ClientValues.of(ids, members);
    }

    static float run(FederatedRuntime rt, ClientValues v) {
        return ((Tensor) ((ServerValue) rt.invoke(ROUND, v)).value()).floatValue();
    }

    static float state(FederatedRuntime rt, String client) {
        return ((Tensor) rt.clientStates().get(client, KEY).orElseThrow()).floatValue();
    }

    @Test
    void stateCarriesAcrossRoundsPerClientAndUnsampledClientsKeepTheirs() {
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            assertEquals(3f, run(rt, values(List.of("a", "b"), 1, 2)));
            assertEquals(13f, run(rt, values(List.of("a", "b", "c"), 1, 2, 7)), "a: 2, b: 4, c: 7");
            assertEquals(107f, run(rt, values(List.of("c"), 100)), "c alone; a and b are not sampled");
            assertEquals(2f, state(rt, "a"));
            assertEquals(4f, state(rt, "b"));
            assertEquals(107f, state(rt, "c"));
            assertEquals(3, rt.clientStates().size());
            assertEquals(3, rt.clientStates().clients());
            assertEquals(3 * 32L, rt.clientStates().sizeInBits());
        }
    }

    @Test
    void aFailedRoundChangesNoClientsState() {
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            run(rt, values(List.of("a", "b", "c"), 1, 2, 3));
            ClientWorkException e = assertThrows(
                    ClientWorkException.class, () -> run(rt, values(List.of("a", "b", "c"), 10, Float.NaN, 10)));
            assertTrue(e.getMessage().contains("client b (#1) failed"), e.getMessage());
            assertEquals(1f, state(rt, "a"), "a trained before b failed, but the round did not happen");
            assertEquals(3f, state(rt, "c"));
        }
    }

    @Test
    void sameResultsForAnyNumberOfWorkers() {
        List<Struct> snapshots = new ArrayList<>();
        for (int workers : new int[] {1, 3}) {
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
                for (int round = 0; round < 4; round++) {
                    List<String> cohort = round % 2 == 0 ? List.of("a", "b", "c", "d") : List.of("b", "c", "d", "e");
                    run(rt, values(cohort, 0.1f * round, 0.2f, 0.3f, 0.4f));
                }
                snapshots.add(rt.clientStates().snapshot());
            }
        }
        assertEquals(snapshots.get(0), snapshots.get(1));
    }

    @Test
    void snapshotRestoresThroughTheValueCodecIntoAnotherRuntime() {
        Struct snapshot;
        float next;
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            run(rt, values(List.of("x", "é/ü"), 1, 2));
            snapshot = rt.clientStates().snapshot();
            next = run(rt, values(List.of("x", "é/ü"), 1, 2));
        }
        try (LocalRuntime other = LocalRuntime.builder().optWorkers(1).build()) {
            other.clientStates().restore(ValueCodec.decode(ValueCodec.encode(snapshot)));
            assertEquals(next, run(other, values(List.of("x", "é/ü"), 1, 2)));
            assertEquals(4f, state(other, "é/ü"));
        }
    }

    @Test
    void malformedSnapshotsAreRejectedAndChangeNothing() {
        ClientStateStore store = new ClientStateStore();
        ClientStateStore.Transaction t = store.begin();
        t.put("a", KEY, Tensor.scalar(5f));
        t.commit();
        IllegalArgumentException notStruct =
                assertThrows(IllegalArgumentException.class, () -> store.restore(Tensor.scalar(1)));
        assertTrue(notStruct.getMessage().contains("structure of entries"), notStruct.getMessage());
        Struct entry = Struct.named("client", text("b"), "key", text(KEY), "state", Tensor.scalar(1f));
        IllegalArgumentException repeated =
                assertThrows(IllegalArgumentException.class, () -> store.restore(Struct.of(entry, entry)));
        assertTrue(repeated.getMessage().contains("entry #1 repeats client 'b'"), repeated.getMessage());
        Struct badClient = Struct.named("client", Tensor.scalar(3), "key", text(KEY), "state", Tensor.scalar(1f));
        IllegalArgumentException wrongField =
                assertThrows(IllegalArgumentException.class, () -> store.restore(Struct.of(badClient)));
        assertTrue(wrongField.getMessage().contains("'client' must be uint8[n] text"), wrongField.getMessage());
        assertEquals(
                Tensor.scalar(5f), store.get("a", KEY).orElseThrow(), "a rejected snapshot leaves the store as it was");
        assertEquals(1, store.size());
    }

    private static Tensor text(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }

    @Test
    void aClientWritingAKeyTwiceInOneInvocationIsAnError() {
        FederatedComputation twice =
                FederatedComputation.of("twice", FederatedType.clients(F32), FederatedType.server(F32), (ctx, arg) -> {
                    FederatedValue once = ctx.federatedMap(RUNNING_TOTAL, (FederatedValue) arg);
                    return ctx.federatedSum(ctx.federatedMap(RUNNING_TOTAL, once));
                });
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            ClientWorkException e =
                    assertThrows(ClientWorkException.class, () -> rt.invoke(twice, values(List.of("a"), 1)));
            assertTrue(
                    e.getCause()
                            .getMessage()
                            .contains("client 'a' wrote its state 'running_total' twice in one invocation"),
                    e.getCause().getMessage());
            assertEquals(0, rt.clientStates().size());
        }
    }

    @Test
    void stateIsOnlyForClientWork() {
        IllegalStateException direct =
                assertThrows(IllegalStateException.class, () -> RUNNING_TOTAL.call(Tensor.scalar(1f)));
        assertTrue(
                direct.getMessage().contains("only for client work run by a federated runtime"), direct.getMessage());
        FederatedComputation onServer = FederatedComputation.of(
                "on_server",
                FederatedType.server(F32),
                FederatedType.server(F32),
                (ctx, arg) -> ctx.federatedMap(RUNNING_TOTAL, (FederatedValue) arg));
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> rt.invoke(onServer, new ServerValue(Tensor.scalar(1f))));
            assertTrue(e.getMessage().contains("only available to work on a client"), e.getMessage());
        }
    }
}
