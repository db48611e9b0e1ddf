package dev.fl4j.aggregators;

import static dev.fl4j.aggregators.Fixtures.F32;
import static dev.fl4j.aggregators.Fixtures.VEC2;
import static dev.fl4j.aggregators.Fixtures.measurement;
import static dev.fl4j.aggregators.Fixtures.server;
import static dev.fl4j.aggregators.Fixtures.vectors;
import static dev.fl4j.aggregators.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AggregatorsAndSpecTest {

    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private MeasuredProcessOutput weightedRound(AggregationFactory f, FederatedValue values, FederatedValue weights) {
        AggregationProcess p = ((WeightedAggregationFactory) f).create(VEC2, F32);
        return p.next(runtime, p.initialize(runtime), values, weights);
    }

    @Test
    void robustAggregatorHasTffDefaultsAndOrder() {
        MeasuredProcessOutput out = weightedRound(Aggregators.robustAggregator().build(), vectors(new float[] {3, 4}, new float[] {0, 0.5f}),
                weights(1, 1));
        // zeroing bound 10·2+1 = 21 keeps both; clipping bound 1 projects {3,4} to {0.6,0.8}
        assertArrayEquals(new float[] {0.3f, 0.65f}, server(out.result()), 1e-6f);
        assertEquals(List.of("zeroing_norm", "zeroed_count", "zeroing/clipping_norm", "zeroing/clipped_count"),
                List.copyOf(Measurements.flatten(out.measurements()).keySet()));
        assertEquals(21.0, measurement(out.measurements(), "zeroing_norm"));
        assertEquals(1.0, measurement(out.measurements(), "zeroing/clipping_norm"));
        assertEquals(Map.of("zeroing_norm", 21.0, "zeroed_count", 0.0, "clipping_norm", 1.0, "clipped_count", 1.0), Measurements.key(out.measurements()));
    }

    @Test
    void dpAggregatorIsZeroingThenAdaptiveGaussian() {
        AggregationFactory f = Aggregators.dpAggregator().setNoiseMultiplier(0.5).setClientsPerRound(10).build();
        assertFalse(AggregatorSpec.isWeighted(f));
        AggregationProcess p = ((UnweightedAggregationFactory) f).create(VEC2);
        MeasuredProcessOutput out = p.next(runtime, p.initialize(runtime), vectors(new float[] {3, 4}, new float[] {0, 0.05f}));
        Map<String, Double> key = Measurements.key(out.measurements());
        assertEquals(21.0, key.get("zeroing_norm"));
        assertEquals(0.1, key.get("clip"), 1e-7);
        assertTrue(key.get("epsilon") > 0 && key.get("epsilon") < Double.POSITIVE_INFINITY, key.toString());
        assertTrue(Measurements.flatten(out.measurements()).containsKey("zeroing/privacy/epsilon"));
    }

    @Test
    void compressionAndSecureAggregatorsRunWeighted() {
        FederatedValue values = vectors(new float[] {3, 4}, new float[] {0, 0.5f});
        MeasuredProcessOutput compressed = weightedRound(Aggregators.compressionAggregator().build(), values, weights(1, 1));
        assertArrayEquals(new float[] {0.3f, 0.65f}, server(compressed.result()), 1e-6f, "small tensors cross unencoded");
        MeasuredProcessOutput secure = weightedRound(Aggregators.secureAggregator().build(), values, weights(1, 1));
        assertArrayEquals(new float[] {0.3f, 0.65f}, server(secure.result()), 1e-4f);
        assertEquals(0.0, measurement(secure.measurements(), "zeroing/clipping/mean_value/secure_upper_clipped_count"));
        assertEquals(100.0, measurement(secure.measurements(), "zeroing/clipping/mean_value/secure_upper_threshold"), 1e-4);
    }

    @Test
    void specPresetsMatchTheBuilders() {
        assertInstanceOf(MeanFactory.class, AggregatorSpec.parse("mean", 10));
        assertEquals(Aggregators.robustAggregator().build().toString(), AggregatorSpec.parse("robust", 10).toString());
        assertEquals(Aggregators.dpAggregator().setNoiseMultiplier(1.0).setClientsPerRound(30).build().toString(), AggregatorSpec.parse("dp:1.0", 30).toString());
        assertEquals(Aggregators.secureAggregator().build().toString(), AggregatorSpec.parse("secure", 10).toString());
        assertEquals(Aggregators.compressionAggregator().build().toString(), AggregatorSpec.parse(" Compression ", 10).toString());
        assertEquals("median", AggregatorSpec.parse("median", 10).toString());
        assertEquals("trimmed_mean(0.1)", AggregatorSpec.parse("trimmed-mean:0.1", 10).toString());
        assertEquals("krum(2)", AggregatorSpec.parse("krum:2", 10).toString());
        assertEquals("multi_krum(2, 3)", AggregatorSpec.parse("multi-krum:2:3", 10).toString());
        assertTrue(AggregatorSpec.isWeighted(AggregatorSpec.parse("robust", 10)));
        assertFalse(AggregatorSpec.isWeighted(AggregatorSpec.parse("dp:1", 30)));
        assertFalse(AggregatorSpec.isWeighted(AggregatorSpec.parse("zeroing+dp-fixed:1:0.5", 30)));
    }

    @Test
    void compositionRunsStageByStage() {
        AggregationFactory f = AggregatorSpec.parse("zeroing:l2:5+clip:1+mean", 10);
        assertTrue(AggregatorSpec.isWeighted(f));
        MeasuredProcessOutput out = weightedRound(f, vectors(new float[] {30, 40}, new float[] {3, 4}, new float[] {0, 0.5f}), weights(1, 1, 2));
        // {30,40} zeroed (L2 50 > 5) but keeps weight 1; {3,4} clipped to {0.6,0.8}; total weight 4
        assertArrayEquals(new float[] {0.6f / 4, (0.8f + 1f) / 4}, server(out.result()), 1e-6f);
        assertEquals(Map.of("zeroing_norm", 5.0, "zeroed_count", 1.0, "clipping_norm", 1.0, "clipped_count", 1.0), Measurements.key(out.measurements()));
        MeasuredProcessOutput robust = weightedRound(AggregatorSpec.parse("non-finite+median", 10),
                vectors(new float[] {1, 1}, new float[] {Float.NaN, 0}, new float[] {3, 3}), weights(1, 1, 1));
        assertArrayEquals(new float[] {2, 2}, server(robust.result()));
        assertEquals(1.0, Measurements.key(robust.measurements()).get("non_finite_count"));
    }

    @Test
    void badSpecsListTheValidForms() {
        for (String bad : List.of("", "foo", "krum", "krum:x", "trimmed-mean:0.6", "mean+zeroing", "zeroing:l3:5+mean", "median+mean", "robust+mean")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse(bad, 10), bad);
            assertTrue(e.getMessage().startsWith("aggregator '" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("valid forms: mean, robust, dp:NOISE_MULTIPLIER"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse("trimmed-mean:0.6", 10)).getMessage()
                .contains("[0, 0.5)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AggregatorSpec.parse("dp:1", 0)).getMessage()
                .contains("needs the clients per round"));
    }

    @Test
    void encodedSpecIsAWeightedMeanOfEncodedSums() {
        AggregationFactory f = AggregatorSpec.parse("encoded:uniform:8@0", 2);
        assertTrue(AggregatorSpec.isWeighted(f));
        MeasuredProcessOutput out = weightedRound(f, vectors(new float[] {1, 3}, new float[] {3, 5}), weights(1, 1));
        // two 2-element leaves encoded at 8 bits: the mean lies within one quantization step of (2, 4)
        float[] mean = server(out.result());
        assertEquals(2f, mean[0], 2f / 255 + 1e-6f);
        assertEquals(4f, mean[1], 2f / 255 + 1e-6f);
        AggregationFactory composed = AggregatorSpec.parse("zeroing+clip:10+encoded:drive@0", 2);
        assertTrue(AggregatorSpec.isWeighted(composed));
        MeasuredProcessOutput sparse = weightedRound(AggregatorSpec.parse("encoded:topk:0.5@0", 2), vectors(new float[] {1, 3}, new float[] {3, 5}),
                weights(1, 1));
        // top-1 of 2 elements per client, error feedback: client one sends (0, 3), client two (0, 5); weights 1 and 1
        assertArrayEquals(new float[] {0, 4}, server(sparse.result()));
        IllegalArgumentException empty = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> AggregatorSpec.parse("encoded:", 2));
        assertTrue(empty.getMessage().contains("encoded needs an encoder preset"), empty.getMessage());
        IllegalArgumentException unknown = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> AggregatorSpec.parse("encoded:nope", 2));
        assertTrue(unknown.getMessage().contains("unknown encoder 'nope'"), unknown.getMessage());
    }

    @Test
    void builderOptionsNameTffsKeywordsAndDefaultToTffs() {
        assertInstanceOf(ZeroingFactory.class, Aggregators.robustAggregator().build(), "zeroing is outermost by default");
        assertInstanceOf(ClippingFactory.class, Aggregators.robustAggregator().optZeroing(false).build());
        assertInstanceOf(MeanFactory.class, Aggregators.robustAggregator().optZeroing(false).optClipping(false).build());
        AggregationFactory unweighted = Aggregators.compressionAggregator().optZeroing(false).optClipping(false).optWeighted(false).build();
        assertInstanceOf(UnweightedMeanFactory.class, unweighted);
        assertFalse(AggregatorSpec.isWeighted(unweighted));
        assertTrue(unweighted.toString().contains("encoded"), unweighted.toString());
        assertEquals("secure_aggregator(zeroing=true, clipping=false, weighted=true)", Aggregators.secureAggregator().optClipping(false).toString());
        assertInstanceOf(DifferentiallyPrivateFactory.class, Aggregators.dpAggregator().setNoiseMultiplier(0.5).setClientsPerRound(10).optZeroing(false).build());
    }

    @Test
    void dpAggregatorBuilderNamesTheMissingOrConflictingSetting() {
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> Aggregators.dpAggregator().build());
        assertEquals("dp_aggregator needs setNoiseMultiplier and setClientsPerRound, or setMechanism", none.getMessage());
        IllegalStateException half = assertThrows(IllegalStateException.class, () -> Aggregators.dpAggregator().setNoiseMultiplier(1).build());
        assertEquals("dp_aggregator needs setClientsPerRound, or setMechanism", half.getMessage());
        DifferentiallyPrivateFactory dp = DifferentiallyPrivateFactory.gaussianAdaptive(1.0, 30);
        IllegalStateException both = assertThrows(IllegalStateException.class,
                () -> Aggregators.dpAggregator().setMechanism(dp).setClientsPerRound(30).build());
        assertTrue(both.getMessage().contains("do not also call setClientsPerRound"), both.getMessage());
        assertEquals(Aggregators.dpAggregator().setMechanism(dp).build().toString(),
                Aggregators.dpAggregator().setNoiseMultiplier(1.0).setClientsPerRound(30).build().toString());
    }

    @Test
    void quantileEstimationBuilderNeedsItsRequiredSettings() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> QuantileEstimation.noNoiseBuilder().setInitialEstimate(1).setLearningRate(0.2).build());
        assertEquals("quantile estimation needs setTargetQuantile", e.getMessage());
    }
}
