package dev.fl4j.learning.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
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
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.zoo.Models;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncodedDistributionTest {

    static final ModelSpec CNN = Models.fedAvgCnn(10);
    static final TensorType CLIENT_TOKEN = TensorType.scalar(DType.INT32);

    /**
     * Runs one distributor round inside a federated computation that also takes a token per client,
     * so the runtime knows how many clients the broadcast reaches (as a learning process's client
     * data tells it).
     */
    static MeasuredProcessOutput deliver(
            LocalRuntime rt, DistributionProcess d, Value state, Struct weights, int clients) {
        Type param = StructType.builder()
                .add("state", d.stateType())
                .add("value", FederatedType.server(weights.type()))
                .add("clients", FederatedType.clients(CLIENT_TOKEN))
                .build();
        Type result = d.nextComputation().type().result();
        FederatedComputation round = FederatedComputation.of(
                "deliver",
                param,
                result,
                (ctx, arg) -> ctx.invoke(
                        d.nextComputation(), Struct.of(((Struct) arg).get("state"), ((Struct) arg).get("value"))));
        List<Value> tokens = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            tokens.add(Tensor.scalar(c));
        }
        return MeasuredProcessOutput.from(
                rt.invoke(round, state, new ServerValue(weights), FederatedValue.clients(tokens)));
    }

    @Test
    void uniform8BroadcastOfTheFedAvgCnnCountsTheEncodedSizeOncePerClient() {
        Struct weights = CNN.initialWeights(3).asStruct();
        DistributionProcess d = EncodedDistribution.fromName("uniform8", CNN.weightsType(), 11);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            Value state = d.initialize(rt);
            CommunicationSnapshot before = rt.communication().snapshot();
            MeasuredProcessOutput out = deliver(rt, d, state, weights, 3);
            long broadcast = rt.communication().snapshot().minus(before).broadcastBits();
            // dense1 kernel 3136x512: payload 1,605,632 bytes + header (4 + 4·2 + 2 stages) + min, max, bits (9)
            // conv2 kernel 5x5x32x64: payload 51,200 bytes + header (4 + 4·4 + 2) + 9
            // the rest (conv1 kernel 800, dense2 kernel 5,120, biases 32+64+512+10) cross as float32
            long perClient = 8L * (1_605_632 + 14 + 9) + 8L * (51_200 + 22 + 9) + 32L * 6_538;
            assertEquals(13_464_304L, perClient);
            assertEquals(3 * perClient, broadcast);
            assertEquals(0, rt.communication().snapshot().minus(before).aggregatedBits());
            Struct measurements = (Struct) ((ServerValue) out.measurements()).value();
            assertEquals(perClient, measurements.tensor("encoded_bits").getLong(0));
        }
    }

    @Test
    void plainBroadcastCountsFloat32PerClient() {
        Struct weights = CNN.initialWeights(3).asStruct();
        DistributionProcess d = EncodedDistribution.fromName("none", CNN.weightsType());
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            deliver(rt, d, d.initialize(rt), weights, 2);
            assertEquals(2L * 32 * 1_663_370, rt.communication().broadcastBits());
        }
    }

    @Test
    void everyClientDecodesTheModelWithinTheQuantizationStep() {
        ModelWeights initial = CNN.initialWeights(5);
        Struct weights = initial.asStruct();
        DistributionProcess d = EncodedDistribution.fromName("uniform8", CNN.weightsType(), 1);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            ClientValues received =
                    (ClientValues) deliver(rt, d, d.initialize(rt), weights, 3).result();
            assertEquals(3, received.count());
            for (int c = 0; c < 3; c++) {
                ModelWeights got = ModelWeights.fromStruct(received.member(c));
                assertEquals(initial.type(), got.type());
                Struct want = initial.trainable();
                Struct have = got.trainable();
                for (int i = 0; i < want.size(); i++) {
                    float[] w = want.tensor(want.nameAt(i)).floatData();
                    float[] h = have.tensor(want.nameAt(i)).floatData();
                    if (w.length > 20_000) {
                        float min = Float.MAX_VALUE;
                        float max = -Float.MAX_VALUE;
                        for (float v : w) {
                            min = Math.min(min, v);
                            max = Math.max(max, v);
                        }
                        float step = (max - min) / 255f;
                        boolean changed = false;
                        for (int k = 0; k < w.length; k++) {
                            assertTrue(
                                    Math.abs(w[k] - h[k]) <= step * 1.0001f,
                                    "client " + c + " " + want.nameAt(i) + "[" + k + "]");
                            changed |= w[k] != h[k];
                        }
                        assertTrue(changed, want.nameAt(i) + " was quantized");
                    } else {
                        assertEquals(
                                want.tensor(want.nameAt(i)),
                                have.tensor(want.nameAt(i)),
                                want.nameAt(i) + " stays exact");
                    }
                }
            }
            assertEquals(received.member(0), received.member(2), "every client decodes the same bytes");
        }
    }

    @Test
    void seedDerivesFromTheRoundKeptInTheState() {
        Struct weights = CNN.initialWeights(2).asStruct();
        DistributionProcess d = EncodedDistribution.fromName("uniform:2", CNN.weightsType(), 9);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            Value s0 = d.initialize(rt);
            MeasuredProcessOutput first = deliver(rt, d, s0, weights, 1);
            MeasuredProcessOutput again = deliver(rt, d, s0, weights, 1);
            MeasuredProcessOutput second = deliver(rt, d, first.state(), weights, 1);
            Struct state = (Struct) ((ServerValue) first.state()).value();
            assertEquals(1L, state.tensor("round").getLong(0));
            Value a = ((ClientValues) first.result()).member(0);
            assertEquals(a, ((ClientValues) again.result()).member(0), "same round, same seed, same model");
            assertNotEquals(a, ((ClientValues) second.result()).member(0), "the next round draws fresh rounding");
        }
    }

    /**
     * A deployed client rebuilds the broadcast's decoding from its descriptor's bytes: for the Lloyd–Max
     * broadcast presets it decodes the server's encoding to exactly what the encoder's own decode gives.
     */
    @Test
    void aClientRebuildsTheLloydMaxDecodingFromItsDescriptorBytes() {
        Type type = CNN.weightsType();
        Struct model = CNN.initialWeights(3).asStruct();
        for (String preset : List.of("hadamard-lloyd:2@0", "hadamard-lloyd:3")) {
            dev.fl4j.compression.ValueEncoder encoder = dev.fl4j.compression.Encoders.parse(preset);
            Value encoded = encoder.encode(model, 5, encoder.initialState(type)).value();
            byte[] wire = dev.fl4j.core.computation.ComputationDescriptor.of(
                            EncodedDistribution.DecodeFactory.class, preset, dev.fl4j.core.io.TypeCodec.toValue(type))
                    .toBytes();
            Value decoded = dev.fl4j.core.computation.ComputationDescriptor.fromBytes(wire)
                    .rebuild()
                    .call(encoded);
            assertEquals(encoder.decode(encoded, type), decoded, preset);
            assertNotEquals(model, decoded, preset + " is lossy");
        }
    }

    @Test
    void badPresetNamesAreRejectedWithTheValidNames() {
        Type type = CNN.weightsType();
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> EncodedDistribution.fromName("gzip", type));
        assertTrue(
                unknown.getMessage().contains("unknown encoder 'gzip'")
                        && unknown.getMessage().contains("uniform8"),
                unknown.getMessage());
        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> EncodedDistribution.fromName("uniform", type));
        assertTrue(missing.getMessage().contains("'uniform' takes 1 argument(s)"), missing.getMessage());
        IllegalArgumentException bits =
                assertThrows(IllegalArgumentException.class, () -> EncodedDistribution.fromName("uniform:17", type));
        assertTrue(bits.getMessage().contains("BITS must be 1-16, got 17"), bits.getMessage());
        IllegalArgumentException empty =
                assertThrows(IllegalArgumentException.class, () -> EncodedDistribution.fromName(" ", type));
        assertTrue(empty.getMessage().contains("'none'"), empty.getMessage());
    }

    @Test
    void aDistributorForOneModelDoesNotFitAnother() {
        DistributionProcess d = EncodedDistribution.fromName("uniform8", CNN.weightsType());
        Struct other = Models.softmaxRegression(4, 3).initialWeights(1).asStruct();
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            Value s0 = d.initialize(rt);
            assertThrows(dev.fl4j.core.TypeMismatchException.class, () -> deliver(rt, d, s0, other, 1));
        }
    }

    @Test
    void errorFeedbackResidualIsKeptInTheDistributorState() {
        ModelSpec small = new ModelSpec(
                "small",
                List.of(dev.fl4j.learning.keras.InputLayer.of(4), dev.fl4j.learning.keras.Dense.of(3)),
                dev.fl4j.learning.keras.Loss.sparseCategoricalCrossentropy().withFromLogits(true),
                Models.CLASSIFIER_METRICS);
        Struct weights = small.initialWeights(6).asStruct();
        // every tensor encoded (threshold 0), half its elements sent each round, the rest carried in the state
        DistributionProcess d = EncodedDistribution.fromName("topk:0.5@0", small.weightsType(), 2);
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(1).build()) {
            MeasuredProcessOutput first = deliver(rt, d, d.initialize(rt), weights, 1);
            MeasuredProcessOutput second = deliver(rt, d, first.state(), weights, 1);
            float[] w = kernel(weights);
            float[] d1 = kernel(((ClientValues) first.result()).member(0));
            float[] d2 = kernel(((ClientValues) second.result()).member(0));
            Struct encoderState = (Struct) ((Struct) ((ServerValue) second.state()).value()).get("encoder");
            float[] residual = ((Tensor) ((Struct) encoderState.get(0)).get(0)).floatData();
            int zeros = 0;
            for (int i = 0; i < w.length; i++) {
                // residual after two rounds = (w + (w - d1)) - d2: nothing lost, only delayed
                assertEquals(2 * w[i] - d1[i] - d2[i], residual[i], 1e-6f, "kernel element " + i);
                zeros += d1[i] == 0f ? 1 : 0;
            }
            assertEquals(6, zeros, "top-k of 12 kernel elements at 0.5 leaves 6 unsent in the first round");
        }
    }

    /** The first trainable tensor (the 4x3 Glorot-initialised kernel). */
    private static float[] kernel(Value weights) {
        Struct trainable = ModelWeights.fromStruct(weights).trainable();
        assertEquals(12, ((Tensor) trainable.get(0)).size());
        return ((Tensor) trainable.get(0)).floatData();
    }
}
