package dev.fl4j.cli.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.aggregators.Aggregators;
import dev.fl4j.aggregators.ClippingFactory;
import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.Measurements;
import dev.fl4j.aggregators.NonFiniteZeroingFactory;
import dev.fl4j.aggregators.Norm;
import dev.fl4j.aggregators.RobustAggregationFactory;
import dev.fl4j.aggregators.UnweightedAggregationFactory;
import dev.fl4j.aggregators.WeightedAggregationFactory;
import dev.fl4j.aggregators.ZeroingFactory;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code --aggregator} grammar: presets are TFF's builders, compositions run stage by stage, bad specs list the
 * valid forms.
 */
class AggregatorSpecTest {

    private static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private static final TensorType VEC2 = new TensorType(DType.FLOAT32, 2);

    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static FederatedValue weights(float... w) {
        List<Value> out = new ArrayList<>();
        for (float x : w) {
            out.add(Tensor.scalar(x));
        }
        return FederatedValue.clients(out);
    }

    private static FederatedValue vectors(float[]... rows) {
        List<Value> out = new ArrayList<>();
        for (float[] r : rows) {
            out.add(Tensor.vector(r.clone()));
        }
        return FederatedValue.clients(out);
    }

    private static float[] server(Value v) {
        return ((Tensor) ((ServerValue) v).value()).floatData();
    }

    private MeasuredProcessOutput weightedRound(AggregationFactory f, FederatedValue values, FederatedValue weights) {
        AggregationProcess p = ((WeightedAggregationFactory) f).create(VEC2, F32);
        return p.next(runtime, p.initialize(runtime), values, weights);
    }

    private static DifferentiallyPrivateFactory core(AggregationFactory f) {
        return DifferentiallyPrivateFactory.find(f).orElseThrow();
    }

    private double zeroingBoundAfterOneRound(AggregationFactory f) {
        AggregationProcess p = ((UnweightedAggregationFactory) f).create(VEC2);
        MeasuredProcessOutput out = p.next(
                runtime, p.initialize(runtime), vectors(new float[] {1, 2}, new float[] {3, 4}, new float[] {0, 1}));
        Struct state = (Struct) out.state();
        return ((Struct) ((ServerValue) state.get("zeroing_norm")).value())
                .tensor("estimate")
                .doubleValue();
    }

    @Test
    void specPresetsMatchTheBuilders() {
        assertInstanceOf(MeanFactory.class, AggregatorSpec.parse("mean", 10));
        assertEquals(
                Aggregators.robustAggregator().build().toString(),
                AggregatorSpec.parse("robust", 10).toString());
        assertEquals(
                Aggregators.dpAggregator()
                        .setNoiseMultiplier(1.0)
                        .setClientsPerRound(30)
                        .build()
                        .toString(),
                AggregatorSpec.parse("dp:1.0", 30).toString());
        assertEquals(
                Aggregators.secureAggregator().build().toString(),
                AggregatorSpec.parse("secure", 10).toString());
        assertEquals(
                Aggregators.compressionAggregator().build().toString(),
                AggregatorSpec.parse(" Compression ", 10).toString());
        assertEquals("median", AggregatorSpec.parse("median", 10).toString());
        assertEquals(
                "trimmed_mean(0.1)",
                AggregatorSpec.parse("trimmed-mean:0.1", 10).toString());
        assertEquals("krum(2)", AggregatorSpec.parse("krum:2", 10).toString());
        assertEquals(
                "multi_krum(2, 3)", AggregatorSpec.parse("multi-krum:2:3", 10).toString());
        assertTrue(AggregatorSpec.parse("robust", 10).isWeighted());
        assertFalse(AggregatorSpec.parse("dp:1", 30).isWeighted());
        assertFalse(AggregatorSpec.parse("zeroing+dp-fixed:1:0.5", 30).isWeighted());
    }

    @Test
    void compositionsAreTheTypedFactoriesWrittenOutermostFirst() {
        Map<String, AggregationFactory> typed = new LinkedHashMap<>();
        typed.put("dp-fixed:0.5:1.0", DifferentiallyPrivateFactory.gaussianFixed(0.5, 12, 1.0));
        typed.put(
                "dp-fixed:0.5:1.0:secure",
                DifferentiallyPrivateFactory.gaussianFixed(0.5, 12, 1.0).toBuilder()
                        .optRecordAggregation(dev.fl4j.aggregators.SecureSumFactory.symmetric(1.0))
                        .build());
        typed.put("non-finite+median", new NonFiniteZeroingFactory(RobustAggregationFactory.median()));
        typed.put(
                "zeroing:l2:5+clip:1+mean",
                ZeroingFactory.fixed(5, Norm.L2, ClippingFactory.fixed(1, new MeanFactory())));
        typed.put(
                "non-finite+zeroing+clip+mean",
                new NonFiniteZeroingFactory(ZeroingFactory.adaptive(
                        Aggregators.defaultZeroingNorm(),
                        Norm.LINF,
                        Aggregators.withDefaultClipping(new MeanFactory()))));
        typed.put(
                "zeroing+dp-fixed:1.2:0.8",
                Aggregators.dpAggregator()
                        .setMechanism(DifferentiallyPrivateFactory.gaussianFixed(1.2, 12, 0.8))
                        .build());
        typed.forEach((spec, factory) ->
                assertEquals(factory.toString(), AggregatorSpec.parse(spec, 12).toString(), spec));
    }

    @Test
    void compositionRunsStageByStage() {
        AggregationFactory f = AggregatorSpec.parse("zeroing:l2:5+clip:1+mean", 10);
        assertTrue(f.isWeighted());
        MeasuredProcessOutput out = weightedRound(
                f, vectors(new float[] {30, 40}, new float[] {3, 4}, new float[] {0, 0.5f}), weights(1, 1, 2));
        // {30,40} zeroed (L2 50 > 5) but keeps weight 1; {3,4} clipped to {0.6,0.8}; total weight 4
        assertArrayEquals(new float[] {0.6f / 4, (0.8f + 1f) / 4}, server(out.result()), 1e-6f);
        assertEquals(
                Map.of("zeroing_norm", 5.0, "zeroed_count", 1.0, "clipping_norm", 1.0, "clipped_count", 1.0),
                Measurements.key(out.measurements()));
        MeasuredProcessOutput robust = weightedRound(
                AggregatorSpec.parse("non-finite+median", 10),
                vectors(new float[] {1, 1}, new float[] {Float.NaN, 0}, new float[] {3, 3}),
                weights(1, 1, 1));
        assertArrayEquals(new float[] {2, 2}, server(robust.result()));
        assertEquals(1.0, Measurements.key(robust.measurements()).get("non_finite_count"));
    }

    @Test
    void badSpecsListTheValidForms() {
        for (String bad : List.of(
                "",
                "foo",
                "krum",
                "krum:x",
                "trimmed-mean:0.6",
                "mean+zeroing",
                "zeroing:l3:5+mean",
                "median+mean",
                "robust+mean")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse(bad, 10), bad);
            assertTrue(e.getMessage().startsWith("aggregator '" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("valid forms: mean, robust, dp:NOISE_MULTIPLIER"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse("trimmed-mean:0.6", 10))
                .getMessage()
                .contains("[0, 0.5)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse("dp:1", 0))
                .getMessage()
                .contains("needs the clients per round"));
    }

    @Test
    void encodedSpecIsAWeightedMeanOfEncodedSums() {
        AggregationFactory f = AggregatorSpec.parse("encoded:uniform:8@0", 2);
        assertTrue(f.isWeighted());
        MeasuredProcessOutput out = weightedRound(f, vectors(new float[] {1, 3}, new float[] {3, 5}), weights(1, 1));
        // two 2-element leaves encoded at 8 bits: the mean lies within one quantization step of (2, 4)
        float[] mean = server(out.result());
        assertEquals(2f, mean[0], 2f / 255 + 1e-6f);
        assertEquals(4f, mean[1], 2f / 255 + 1e-6f);
        AggregationFactory composed = AggregatorSpec.parse("zeroing+clip:10+encoded:drive@0", 2);
        assertTrue(composed.isWeighted());
        MeasuredProcessOutput sparse = weightedRound(
                AggregatorSpec.parse("encoded:topk:0.5@0", 2),
                vectors(new float[] {1, 3}, new float[] {3, 5}),
                weights(1, 1));
        // top-1 of 2 elements per client, error feedback: client one sends (0, 3), client two (0, 5); weights 1 and 1
        assertArrayEquals(new float[] {0, 4}, server(sparse.result()));
        IllegalArgumentException empty =
                assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse("encoded:", 2));
        assertTrue(empty.getMessage().contains("encoded needs an encoder preset"), empty.getMessage());
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse("encoded:nope", 2));
        assertTrue(unknown.getMessage().contains("unknown encoder 'nope'"), unknown.getMessage());
    }

    @Test
    void aZeroingCompositionBeforeADpCoreIsPrivateAndAnAdaptiveClipIsRefused() {
        AggregatorSpec.Settings settings = new AggregatorSpec.Settings(5, 50, 1e-5, Double.POSITIVE_INFINITY);
        AggregationFactory composed = AggregatorSpec.parse("zeroing+dp-fixed:0.3:1", settings);
        assertEquals(1, core(composed).countStddevs().length);
        assertTrue(core(composed).valueNoiseMultiplier() > 0.3);
        assertNotEquals(zeroingBoundAfterOneRound(composed), zeroingBoundAfterOneRound(composed));
        assertEquals(
                0,
                core(AggregatorSpec.parse("zeroing:l2:5+dp-fixed:0.3:1", settings))
                        .countStddevs()
                        .length,
                "a fixed bound releases nothing");

        assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse("dp-fixed:0.3:1:plain", settings));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse("clip+dp:0.3", settings));
        assertTrue(e.getMessage().contains("adaptive 'clip' before a DP core"), e.getMessage());
        AggregatorSpec.parse("clip:1+dp:0.3", settings);
    }
}
