package dev.fl4j.learning.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.runtime.CommunicationSnapshot;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeltaDistributionTest {

    /** A kernel of 8,000 elements (encoded above the threshold 1,000) and a bias of 40 (sent raw). */
    static final StructType MODEL = StructType.builder()
            .add("kernel", new TensorType(DType.FLOAT32, 200, 40))
            .add("bias", new TensorType(DType.FLOAT32, 40))
            .build();

    static final TensorType TOKEN = TensorType.scalar(DType.INT32);

    record Round(Value state, List<Value> received, Struct measurements, long broadcastBits) {}

    static Round deliver(LocalRuntime rt, DistributionProcess d, Value state, Struct weights, List<String> clients) {
        Type param = StructType.builder()
                .add("state", d.stateType())
                .add("value", FederatedType.server(weights.type()))
                .add("clients", FederatedType.clients(TOKEN))
                .build();
        FederatedComputation round = FederatedComputation.of(
                "deliver",
                param,
                d.nextComputation().type().result(),
                (ctx, arg) -> ctx.invoke(
                        d.nextComputation(), Struct.of(((Struct) arg).get("state"), ((Struct) arg).get("value"))));
        List<Value> tokens = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            tokens.add(Tensor.scalar(c));
        }
        CommunicationSnapshot before = rt.communication().snapshot();
        MeasuredProcessOutput out = MeasuredProcessOutput.from(
                rt.invoke(round, state, new ServerValue(weights), ClientValues.of(clients, tokens)));
        ClientValues received = (ClientValues) out.result();
        List<Value> models = new ArrayList<>();
        for (int c = 0; c < received.count(); c++) {
            models.add(received.member(c));
        }
        return new Round(
                out.state(),
                models,
                (Struct) ((ServerValue) out.measurements()).value(),
                rt.communication().snapshot().minus(before).broadcastBits());
    }

    static Struct model(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] k = new float[8_000];
        float[] b = new float[40];
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) (r.nextGaussian() * 0.1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        return Struct.named("kernel", Tensor.of(k, 200, 40), "bias", Tensor.of(b, 40));
    }

    /** A step of training: the model moves a little. */
    static Struct step(Struct w, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] k = w.tensor("kernel").floatData().clone();
        for (int i = 0; i < k.length; i++) {
            k[i] += (float) (r.nextGaussian() * 0.01);
        }
        return Struct.named("kernel", Tensor.of(k, 200, 40), "bias", w.tensor("bias"));
    }

    static Struct reference(Value state) {
        return (Struct) ((Struct) ((ServerValue) state).value()).get("reference");
    }

    static Value copy(LocalRuntime rt, String client) {
        return ((Struct) rt.clientStates()
                        .get(client, DeltaDistribution.STATE_KEY)
                        .orElseThrow())
                .get("model");
    }

    static double distance(Struct a, Struct b) {
        float[] x = a.tensor("kernel").floatData();
        float[] y = b.tensor("kernel").floatData();
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (double) (x[i] - y[i]) * (x[i] - y[i]);
        }
        return Math.sqrt(s);
    }

    @Test
    void everyClientsCopyEqualsTheServersReferenceBitwiseRoundAfterRound() {
        DistributionProcess d = EncodedDistribution.fromName("delta:drive@1000", MODEL, 7);
        List<String> clients = List.of("a", "b", "c");
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            Value state = d.initialize(rt);
            Struct w = model(1);
            for (int round = 1; round <= 6; round++) {
                Round r = deliver(rt, d, state, w, clients);
                state = r.state();
                Struct ref = reference(state);
                for (int c = 0; c < clients.size(); c++) {
                    assertEquals(ref, r.received().get(c), "round " + round + " client " + clients.get(c));
                    assertEquals(ref, copy(rt, clients.get(c)), "the copy kept in client state");
                }
                assertEquals(
                        round == 1 ? 1L : 0L,
                        r.measurements().tensor("full_model").getLong(0),
                        "round " + round);
                if (round == 1) {
                    assertEquals(w, ref, "the first round sends the full model, exactly (identity)");
                } else {
                    assertNotEquals(w, ref, "a 1-bit delta is lossy");
                    assertEquals(w.tensor("bias"), ref.tensor("bias"), "the small leaf crosses raw");
                }
                w = step(w, 100 + round);
            }
        }
    }

    @Test
    void serverSideErrorFeedbackClosesTheGapInsteadOfDrifting() {
        DistributionProcess d = EncodedDistribution.fromName("delta:drive@1000", MODEL, 3);
        List<String> clients = List.of("a", "b");
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            Value state = d.initialize(rt);
            Struct w = model(2);
            state = deliver(rt, d, state, w, clients).state(); // full model: gap 0
            Struct moved = step(step(step(w, 1), 2), 3);
            double gap = Double.MAX_VALUE;
            for (int round = 2; round <= 12; round++) {
                state = deliver(rt, d, state, moved, clients).state();
                double now = distance(moved, reference(state));
                assertTrue(now < gap, "round " + round + ": the gap " + now + " shrinks (was " + gap + ")");
                gap = now;
            }
            assertTrue(gap < 0.05 * distance(moved, w), "after 11 rounds the copy is close to the model: " + gap);
        }
    }

    @Test
    void aHalfBitDeltaAfterATwoBitFullModelKeepsCopiesBitwiseEqualAndErrorFeedbackClosesTheGap() {
        DistributionProcess d =
                EncodedDistribution.fromName("delta:sampled-lloyd:0.5:1@1000/hadamard-lloyd:2", MODEL, 11);
        List<String> clients = List.of("a", "b");
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            Value state = d.initialize(rt);
            Struct w = model(5);
            Round first = deliver(rt, d, state, w, clients);
            state = first.state();
            double gap = distance(w, reference(state));
            assertTrue(gap > 0, "a 2-bit full model is lossy");
            long fullBits = first.measurements().tensor("encoded_bits").getLong(0);
            for (int round = 2; round <= 16; round++) {
                Round r = deliver(rt, d, state, w, clients);
                state = r.state();
                assertEquals(0L, r.measurements().tensor("full_model").getLong(0), "round " + round);
                assertTrue(
                        r.measurements().tensor("encoded_bits").getLong(0) < fullBits / 3,
                        "half a bit per element against two");
                for (int c = 0; c < clients.size(); c++) {
                    assertEquals(reference(state), r.received().get(c), "round " + round + " client " + c);
                    assertEquals(reference(state), copy(rt, clients.get(c)), "round " + round + " copy " + c);
                }
            }
            double now = distance(w, reference(state));
            assertTrue(now < 0.2 * gap, "15 half-bit deltas shrink the 2-bit model's error " + gap + " to " + now);
        }
    }

    @Test
    void aClientThatMissedRoundsGetsTheFullModelAndEveryCopyIsResynchronized() {
        DistributionProcess d =
                EncodedDistribution.fromName("delta:hadamard-uniform:2@1000/hadamard-uniform:8", MODEL, 5);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            Value state = d.initialize(rt);
            Struct w = model(3);
            state = deliver(rt, d, state, w, List.of("a", "b", "c")).state();
            w = step(w, 1);
            Round delta = deliver(rt, d, state, w, List.of("a", "b"));
            assertEquals(0L, delta.measurements().tensor("full_model").getLong(0));
            state = delta.state();
            w = step(w, 2);
            Round back = deliver(rt, d, state, w, List.of("a", "b", "c"));
            assertEquals(1L, back.measurements().tensor("full_model").getLong(0), "c's copy is a round behind");
            state = back.state();
            Struct ref = reference(state);
            for (String c : List.of("a", "b", "c")) {
                assertEquals(ref, copy(rt, c), c);
            }
            assertTrue(distance(w, ref) < 0.02 * Math.sqrt(8_000) * 0.1, "8-bit full model: " + distance(w, ref));
            w = step(w, 3);
            Round after = deliver(rt, d, state, w, List.of("a", "b", "c"));
            assertEquals(0L, after.measurements().tensor("full_model").getLong(0), "in sync again: deltas");
            for (int c = 0; c < 3; c++) {
                assertEquals(reference(after.state()), after.received().get(c));
            }
            // a new client joining is just as stale
            Round joined = deliver(rt, d, after.state(), w, List.of("a", "d"));
            assertEquals(1L, joined.measurements().tensor("full_model").getLong(0));
        }
    }

    @Test
    void aDeltaCostsFarFewerBitsThanTheModel() {
        DistributionProcess d = EncodedDistribution.fromName("delta:drive@1000", MODEL, 1);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            Struct w = model(4);
            Round first = deliver(rt, d, d.initialize(rt), w, List.of("a", "b"));
            Round second = deliver(rt, d, first.state(), step(w, 1), List.of("a", "b"));
            long full = first.measurements().tensor("encoded_bits").getLong(0);
            long delta = second.measurements().tensor("encoded_bits").getLong(0);
            assertTrue(full > 32L * 8_040, "the full model in float32 plus a header: " + full);
            // 1 bit for each of 8,192 (padded) rotated elements, a header and a scale; the bias raw
            assertTrue(delta < 8_192 + 32 * 40 + 1_000, "delta: " + delta);
            // each client also receives the reference version (int64) and the payload's full-model flag (int32)
            assertEquals(2 * (delta + 64 + 32), second.broadcastBits());
            assertEquals(2L * 2 * 32, rt.communication().aggregatedBits(), "a 32-bit staleness flag a client a round");
        }
    }

    @Test
    void badDeltaNamesAreRefusedWithAReason() {
        assertMessage("delta:none", "not 'none'");
        assertMessage("delta:", "non-empty");
        assertMessage("delta:drive/", "non-empty");
        assertMessage("delta:gzip", "unknown encoder 'gzip'");
        assertMessage("delta:topk:0.1@0", "use a stateless encoder");
        assertMessage("delta:drive/zip", "unknown encoder 'zip'");
    }

    private static void assertMessage(String name, String expected) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EncodedDistribution.fromName(name, MODEL, 0));
        assertTrue(e.getMessage().contains(expected), name + ": " + e.getMessage());
    }
}
