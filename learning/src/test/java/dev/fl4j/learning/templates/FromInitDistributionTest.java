package dev.fl4j.learning.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.zoo.Models;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FromInitDistributionTest {

    private static final ModelSpec TWO_NN = Models.twoNN(10);
    private static final long INIT_SEED = 7;

    /** The initial weights of {@link #INIT_SEED} moved by Gaussian noise of {@code sigma} per weight. */
    private static Struct trainedFromInit(double sigma) {
        Random r = new Random(11);
        Value init = TWO_NN.initialWeights(INIT_SEED).asStruct();
        return (Struct) Structures.map(init, t -> {
            float[] v = t.floatData().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (sigma * r.nextGaussian());
            }
            return Tensor.of(v, t.shape());
        });
    }

    private static double squaredError(Value a, Value b) {
        float[] x = Structures.flattenFloats(a);
        float[] y = Structures.flattenFloats(b);
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (double) (x[i] - y[i]) * (x[i] - y[i]);
        }
        return s;
    }

    /** {@code a + sign·b}, element by element in float32. */
    private static Tensor elementwise(Tensor a, Tensor b, int sign) {
        float[] x = a.floatData().clone();
        float[] y = b.floatData();
        for (int k = 0; k < x.length; k++) {
            x[k] += sign * y[k];
        }
        return Tensor.of(x, a.shape());
    }

    /** What the server sends in round 0 with seed 5: {@code model − initial}, encoded with the round's seed. */
    private static Value firstRoundBytes(ValueEncoder encoder, Struct model) {
        Value change =
                Structures.zip(model, TWO_NN.initialWeights(INIT_SEED).asStruct(), (m, i) -> elementwise(m, i, -1));
        return encoder.encode(
                        change, Seeds.derive(5, 0, Seeds.purpose("broadcast")), encoder.initialState(change.type()))
                .value();
    }

    private static MeasuredProcessOutput deliver(DistributionProcess d, Struct model, int clients) {
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(2).build()) {
            return EncodedDistributionTest.deliver(rt, d, d.initialize(rt), model, clients);
        }
    }

    @Test
    void clientsReceiveTheInitialWeightsPlusTheDecodedChangeForTheBitsOfThePlainEncoding() {
        Struct model = trainedFromInit(0.01);
        String preset = "hadamard-lloyd:2@0";
        ValueEncoder encoder = Encoders.parse(preset);
        Value init = TWO_NN.initialWeights(INIT_SEED).asStruct();

        MeasuredProcessOutput out =
                deliver(EncodedDistribution.fromName("from-init:" + preset, TWO_NN, INIT_SEED, 5), model, 3);
        ClientValues received = (ClientValues) out.result();

        Value sent = firstRoundBytes(encoder, model);
        Value want = Structures.zip(encoder.decode(sent, model.type()), init, (d, i) -> elementwise(d, i, +1));
        for (int c = 0; c < 3; c++) {
            assertEquals(want, received.member(c), "client " + c);
        }
        long bits = ((Struct) ((ServerValue) out.measurements()).value())
                .tensor("encoded_bits")
                .getLong(0);
        long plainBits = ((Struct) ((ServerValue)
                                deliver(EncodedDistribution.fromName(preset, TWO_NN.weightsType(), 5), model, 1)
                                        .measurements())
                        .value())
                .tensor("encoded_bits")
                .getLong(0);
        assertEquals(plainBits, bits, "the reference costs no bits");
        assertEquals(sent.sizeInBits(), bits);
    }

    /** Why it exists: a model near its initialization arrives with a fraction of the plain encoding's error. */
    @Test
    void aModelNearItsInitialWeightsArrivesWithAFractionOfThePlainEncodingsError() {
        Struct model = trainedFromInit(0.005);
        for (String preset : List.of("hadamard-lloyd:2@0", "drive@0")) {
            Value plain = ((ClientValues)
                            deliver(EncodedDistribution.fromName(preset, TWO_NN.weightsType(), 5), model, 1)
                                    .result())
                    .member(0);
            Value fromInit = ((ClientValues) deliver(
                                    FromInitDistribution.fromName("from-init:" + preset, TWO_NN, INIT_SEED, 5),
                                    model,
                                    1)
                            .result())
                    .member(0);
            double ratio = squaredError(fromInit, model) / squaredError(plain, model);
            // the weights' spread is about 0.05-0.1 per layer, the change's 0.005: the error shrinks with it
            assertTrue(ratio < 0.05, preset + ": squared error of from-init over plain " + ratio);
        }
    }

    @Test
    void leavesTheEncoderDoesNotEncodeArriveExact() {
        Struct model = trainedFromInit(0.01);
        Struct received = (Struct) ((ClientValues) deliver(
                                FromInitDistribution.fromName("from-init:hadamard-lloyd:2", TWO_NN, INIT_SEED, 5),
                                model,
                                2)
                        .result())
                .member(1);
        Struct want = (Struct) model.get("trainable");
        Struct have = (Struct) received.get("trainable");
        int exact = 0;
        for (int i = 0; i < want.size(); i++) {
            Tensor w = want.tensor(want.nameAt(i));
            if (w.size() <= 20_000) {
                assertEquals(w, have.tensor(want.nameAt(i)), want.nameAt(i) + " is below the threshold");
                exact++;
            } else {
                assertNotEquals(w, have.tensor(want.nameAt(i)), want.nameAt(i) + " is quantized");
            }
        }
        assertEquals(4, exact, "two_nn's three biases and its 200x10 output kernel");
    }

    /** A deployed client rebuilds the decoding, initial weights included, from the descriptor's bytes alone. */
    @Test
    void aClientRebuildsTheDecodingAndTheInitialWeightsFromTheDescriptorBytes() {
        DistributionProcess d = FromInitDistribution.fromName("from-init:drive@0", TWO_NN, INIT_SEED, 5);
        Struct model = trainedFromInit(0.01);
        Value received = ((ClientValues) deliver(d, model, 1).result()).member(0);

        ValueEncoder encoder = Encoders.parse("drive@0");
        LocalComputation described = FromInitDistribution.decode(TWO_NN, INIT_SEED, encoder);
        byte[] wire = described.descriptor().orElseThrow().toBytes();
        LocalComputation rebuilt = ComputationDescriptor.fromBytes(wire).rebuild();
        Value sent = firstRoundBytes(encoder, model);
        assertEquals(received, rebuilt.call(sent));
        assertEquals(received, rebuilt.call(sent), "a second call (cached initial weights) decodes the same");
    }

    @Test
    void malformedDecodingConfigsAreRefusedByName() {
        FromInitDistribution.DecodeFactory f = new FromInitDistribution.DecodeFactory();
        com.fasterxml.jackson.databind.node.ObjectNode c =
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        c.put("format", "fl4j.from_init_decode");
        c.put("version", 1);
        c.put("encoder", "drive@0");
        c.put("init_seed", 3);
        String ok = c.put("model_spec", TWO_NN.toJson()).toString();
        String spec = ok.substring(ok.indexOf("\"model_spec\":") + "\"model_spec\":".length(), ok.length() - 1);
        f.create(ok, null);
        List<String[]> bad = List.of(
                new String[] {"not json {", "config is not JSON"},
                new String[] {ok.replace("\"version\":1", "\"version\":2"), "not a fl4j.from_init_decode version 1"},
                new String[] {ok.replace("\"init_seed\":3", "\"init_seed\":\"3\""), "init_seed (integer)"},
                new String[] {ok.replace("\"drive@0\"", "\"gzip\""), "unknown encoder 'gzip'"},
                new String[] {ok.replace("\"encoder\":\"drive@0\",", ""), "needs encoder"},
                new String[] {ok.replace(spec, "\"{}\""), "fl4j.from_init_decode: "});
        for (String[] b : bad) {
            MalformedDataException e = assertThrows(MalformedDataException.class, () -> f.create(b[0], null), b[0]);
            assertTrue(e.getMessage().contains(b[1]), e.getMessage());
        }
    }

    @Test
    void badNamesAreRefused() {
        for (String name : List.of("from-init:", "from-init: none", "from-init:gzip")) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> EncodedDistribution.fromName(name, TWO_NN, 1, 1), name);
            assertTrue(
                    e.getMessage().contains("from-init:") || e.getMessage().contains("unknown encoder 'gzip'"),
                    e.getMessage());
        }
        IllegalArgumentException noSpec = assertThrows(
                IllegalArgumentException.class,
                () -> EncodedDistribution.fromName("from-init:drive", TWO_NN.weightsType(), 1));
        assertTrue(noSpec.getMessage().contains("needs the model spec"), noSpec.getMessage());
    }
}
