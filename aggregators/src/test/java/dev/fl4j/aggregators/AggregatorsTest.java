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

class AggregatorsTest {

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
        MeasuredProcessOutput out = weightedRound(
                Aggregators.robustAggregator().build(),
                vectors(new float[] {3, 4}, new float[] {0, 0.5f}),
                weights(1, 1));
        // zeroing bound 10·2+1 = 21 keeps both; clipping bound 1 projects {3,4} to {0.6,0.8}
        assertArrayEquals(new float[] {0.3f, 0.65f}, server(out.result()), 1e-6f);
        assertEquals(
                List.of("zeroing_norm", "zeroed_count", "zeroing/clipping_norm", "zeroing/clipped_count"),
                List.copyOf(Measurements.flatten(out.measurements()).keySet()));
        assertEquals(21.0, measurement(out.measurements(), "zeroing_norm"));
        assertEquals(1.0, measurement(out.measurements(), "zeroing/clipping_norm"));
        assertEquals(
                Map.of("zeroing_norm", 21.0, "zeroed_count", 0.0, "clipping_norm", 1.0, "clipped_count", 1.0),
                Measurements.key(out.measurements()));
    }

    @Test
    void dpAggregatorIsZeroingThenAdaptiveGaussian() {
        AggregationFactory f = Aggregators.dpAggregator()
                .setNoiseMultiplier(0.5)
                .setClientsPerRound(10)
                .build();
        assertFalse(f.isWeighted());
        AggregationProcess p = ((UnweightedAggregationFactory) f).create(VEC2);
        MeasuredProcessOutput out =
                p.next(runtime, p.initialize(runtime), vectors(new float[] {3, 4}, new float[] {0, 0.05f}));
        Map<String, Double> key = Measurements.key(out.measurements());
        assertEquals(21.0, key.get("zeroing_norm"));
        assertEquals(0.1, key.get("clip"), 1e-7);
        assertTrue(key.get("epsilon") > 0 && key.get("epsilon") < Double.POSITIVE_INFINITY, key.toString());
        assertTrue(Measurements.flatten(out.measurements()).containsKey("zeroing/privacy/epsilon"));
    }

    @Test
    void compressionAndSecureAggregatorsRunWeighted() {
        FederatedValue values = vectors(new float[] {3, 4}, new float[] {0, 0.5f});
        MeasuredProcessOutput compressed =
                weightedRound(Aggregators.compressionAggregator().build(), values, weights(1, 1));
        assertArrayEquals(
                new float[] {0.3f, 0.65f}, server(compressed.result()), 1e-6f, "small tensors cross unencoded");
        MeasuredProcessOutput secure =
                weightedRound(Aggregators.secureAggregator().build(), values, weights(1, 1));
        assertArrayEquals(new float[] {0.3f, 0.65f}, server(secure.result()), 1e-4f);
        assertEquals(0.0, measurement(secure.measurements(), "zeroing/clipping/mean_value/secure_upper_clipped_count"));
        assertEquals(
                100.0, measurement(secure.measurements(), "zeroing/clipping/mean_value/secure_upper_threshold"), 1e-4);
    }

    @Test
    void aFactoryKnowsWhetherItIsWeightedAndAWrapperAsksItsInnerFactory() {
        assertTrue(new MeanFactory().isWeighted());
        assertFalse(new UnweightedMeanFactory().isWeighted());
        assertFalse(new SumFactory().isWeighted());
        assertTrue(RobustAggregationFactory.median().isWeighted());
        assertFalse(DifferentiallyPrivateFactory.gaussianFixed(1.0, 10, 0.5).isWeighted());
        assertTrue(Aggregators.robustAggregator().build().isWeighted());
        assertTrue(Aggregators.compressionAggregator().build().isWeighted());
        assertFalse(Aggregators.dpAggregator()
                .setNoiseMultiplier(1.0)
                .setClientsPerRound(30)
                .build()
                .isWeighted());
        // the wrappers implement both kinds of factory; only their inner factory decides
        assertTrue(new NonFiniteZeroingFactory(ClippingFactory.fixed(1, new MeanFactory())).isWeighted());
        assertFalse(new NonFiniteZeroingFactory(ClippingFactory.fixed(1, new SumFactory())).isWeighted());
        assertFalse(ZeroingFactory.fixed(5, Norm.L2, new NonFiniteZeroingFactory(new UnweightedMeanFactory()))
                .isWeighted());
        assertTrue(ZeroingFactory.fixed(5, Norm.L2, RobustAggregationFactory.median())
                .isWeighted());
    }

    @Test
    void builderOptionsNameTffsKeywordsAndDefaultToTffs() {
        assertInstanceOf(
                ZeroingFactory.class, Aggregators.robustAggregator().build(), "zeroing is outermost by default");
        assertInstanceOf(
                ClippingFactory.class,
                Aggregators.robustAggregator().optZeroing(false).build());
        assertInstanceOf(
                MeanFactory.class,
                Aggregators.robustAggregator()
                        .optZeroing(false)
                        .optClipping(false)
                        .build());
        AggregationFactory unweighted = Aggregators.compressionAggregator()
                .optZeroing(false)
                .optClipping(false)
                .optWeighted(false)
                .build();
        assertInstanceOf(UnweightedMeanFactory.class, unweighted);
        assertFalse(unweighted.isWeighted());
        assertTrue(unweighted.toString().contains("encoded"), unweighted.toString());
        assertEquals(
                "secure_aggregator(zeroing=true, clipping=false, weighted=true)",
                Aggregators.secureAggregator().optClipping(false).toString());
        assertInstanceOf(
                DifferentiallyPrivateFactory.class,
                Aggregators.dpAggregator()
                        .setNoiseMultiplier(0.5)
                        .setClientsPerRound(10)
                        .optZeroing(false)
                        .build());
    }

    @Test
    void dpAggregatorBuilderNamesTheMissingOrConflictingSetting() {
        IllegalStateException none = assertThrows(
                IllegalStateException.class, () -> Aggregators.dpAggregator().build());
        assertEquals(
                "dp_aggregator needs setNoiseMultiplier and setClientsPerRound, or setMechanism", none.getMessage());
        IllegalStateException half = assertThrows(
                IllegalStateException.class,
                () -> Aggregators.dpAggregator().setNoiseMultiplier(1).build());
        assertEquals("dp_aggregator needs setClientsPerRound, or setMechanism", half.getMessage());
        DifferentiallyPrivateFactory dp = DifferentiallyPrivateFactory.gaussianAdaptive(1.0, 30);
        IllegalStateException both = assertThrows(
                IllegalStateException.class,
                () -> Aggregators.dpAggregator()
                        .setMechanism(dp)
                        .setClientsPerRound(30)
                        .build());
        assertTrue(both.getMessage().contains("do not also call setClientsPerRound"), both.getMessage());
        assertEquals(
                Aggregators.dpAggregator().setMechanism(dp).build().toString(),
                Aggregators.dpAggregator()
                        .setNoiseMultiplier(1.0)
                        .setClientsPerRound(30)
                        .build()
                        .toString());
    }

    @Test
    void quantileEstimationBuilderNeedsItsRequiredSettings() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> QuantileEstimation.noNoiseBuilder()
                        .setInitialEstimate(1)
                        .setLearningRate(0.2)
                        .build());
        assertEquals("quantile estimation needs setTargetQuantile", e.getMessage());
    }
}
