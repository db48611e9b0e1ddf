package dev.fl4j.aggregators;

import static dev.fl4j.aggregators.Fixtures.F32;
import static dev.fl4j.aggregators.Fixtures.VEC2;
import static dev.fl4j.aggregators.Fixtures.measurement;
import static dev.fl4j.aggregators.Fixtures.server;
import static dev.fl4j.aggregators.Fixtures.vectors;
import static dev.fl4j.aggregators.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NonFiniteZeroingFactoryTest {

    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void weightedMeanOfTheFiniteUpdatesOnly() {
        AggregationProcess p = new NonFiniteZeroingFactory(new MeanFactory()).create(VEC2, F32);
        MeasuredProcessOutput out = p.next(
                runtime,
                p.initialize(runtime),
                vectors(new float[] {1, 2}, new float[] {Float.NaN, 0}, new float[] {3, 4}, new float[] {
                    0, Float.POSITIVE_INFINITY
                }),
                weights(1, 5, 3, 7));
        assertArrayEquals(new float[] {(1 + 9) / 4f, (2 + 12) / 4f}, server(out.result()), 1e-6f);
        assertEquals(2.0, measurement(out.measurements(), "non_finite_count"));
        assertEquals(
                "<non_finite_count=int32@SERVER,non_finite_zeroing=<mean_value=<>@SERVER,mean_weight=<>@SERVER>>",
                out.measurements().type().toString());
    }

    @Test
    void nonFiniteWeightIsZeroedToo() {
        AggregationProcess p = new NonFiniteZeroingFactory(new MeanFactory()).create(VEC2, F32);
        MeasuredProcessOutput out = p.next(
                runtime, p.initialize(runtime), vectors(new float[] {1, 2}, new float[] {5, 5}), weights(1, Float.NaN));
        assertArrayEquals(new float[] {1, 2}, server(out.result()));
        assertEquals(1.0, measurement(out.measurements(), "non_finite_count"));
    }

    @Test
    void roundOfOnlyNonFiniteUpdatesGivesZeros() {
        AggregationProcess p = new NonFiniteZeroingFactory(new MeanFactory()).create(VEC2, F32);
        MeasuredProcessOutput out =
                p.next(runtime, p.initialize(runtime), vectors(new float[] {Float.NaN, 2}), weights(3));
        assertArrayEquals(new float[] {0, 0}, server(out.result()));
    }

    @Test
    void unweightedZeroedUpdateStillCountsAsAClient() {
        AggregationProcess p = new NonFiniteZeroingFactory(new UnweightedMeanFactory()).create(VEC2);
        MeasuredProcessOutput out =
                p.next(runtime, p.initialize(runtime), vectors(new float[] {2, 4}, new float[] {Float.NaN, 1}));
        assertArrayEquals(new float[] {1, 2}, server(out.result()));
        assertEquals(1.0, measurement(out.measurements(), "non_finite_count"));
    }

    @Test
    void robustStatisticsBehindIt() {
        AggregationProcess p = new NonFiniteZeroingFactory(RobustAggregationFactory.median()).create(VEC2, F32);
        MeasuredProcessOutput out = p.next(
                runtime,
                p.initialize(runtime),
                vectors(new float[] {1, 1}, new float[] {Float.NaN, 1}, new float[] {3, 3}, new float[] {2, 2}),
                weights(1, 1, 1, 1));
        assertArrayEquals(new float[] {2, 2}, server(out.result()));
        assertEquals(3.0, measurement(out.measurements(), "non_finite_zeroing/robust_clients"));
    }
}
