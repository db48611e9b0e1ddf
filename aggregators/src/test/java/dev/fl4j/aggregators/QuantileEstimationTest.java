package dev.fl4j.aggregators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.EstimationProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QuantileEstimationTest {

    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static double report(EstimationProcess p, LocalRuntime runtime, Value state) {
        return ((Tensor) ((ServerValue) p.report(runtime, state)).value()).doubleValue();
    }

    /** Exponential(1) values: the γ-quantile is -ln(1-γ). */
    private double converge(EstimationProcess p, int rounds, int clients, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Value state = p.initialize(runtime);
        double tail = 0;
        for (int r = 0; r < rounds; r++) {
            List<Value> norms = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                norms.add(Tensor.scalar((float) -Math.log(1 - random.nextDouble())));
            }
            state = runtime.invoke(p.nextComputation(), state, FederatedValue.clients(norms));
            if (r >= rounds - 50) {
                tail += report(p, runtime, state);
            }
        }
        return tail / 50;
    }

    @Test
    void noNoiseConvergesToTheTargetQuantile() {
        double estimate = converge(QuantileEstimation.noNoise(10, 0.8, 0.2), 300, 50, 11);
        assertEquals(-Math.log(0.2), estimate, 0.1);
    }

    @Test
    void secureCountsConvergeTheSameWay() {
        double estimate = converge(
                QuantileEstimation.noNoiseBuilder()
                        .setInitialEstimate(0.01)
                        .setTargetQuantile(0.5)
                        .setLearningRate(0.2)
                        .optSecureEstimation(true)
                        .build(),
                300,
                50,
                12);
        assertEquals(Math.log(2), estimate, 0.07);
    }

    @Test
    void privateEstimateConvergesWithModestNoise() {
        double estimate = converge(QuantileEstimation.gaussian(1, 0.8, 0.2, 1.0, 50, 1, 0), 300, 50, 13);
        assertEquals(-Math.log(0.2), estimate, 0.2);
    }

    @Test
    void firstStepIsTheGeometricUpdateAndReportIsAffine() {
        EstimationProcess p = QuantileEstimation.noNoiseBuilder()
                .setInitialEstimate(2)
                .setTargetQuantile(0.5)
                .setLearningRate(0.4)
                .optMultiplier(3)
                .optIncrement(1)
                .build();
        Value state = p.initialize(runtime);
        assertEquals(2 * 3 + 1, report(p, runtime, state), 1e-6);
        state = runtime.invoke(
                p.nextComputation(),
                state,
                FederatedValue.clients(
                        List.of(Tensor.scalar(1f), Tensor.scalar(5f), Tensor.scalar(7f), Tensor.scalar(Float.NaN))));
        // b̄ = 1/4 (NaN counts as above): 2·exp(-0.4·(0.25 - 0.5))
        assertEquals(2 * Math.exp(0.1) * 3 + 1, report(p, runtime, state), 1e-5);
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> QuantileEstimation.noNoise(0, 0.5, 0.2));
        assertThrows(IllegalArgumentException.class, () -> QuantileEstimation.noNoise(1, 1.5, 0.2));
        assertThrows(
                IllegalArgumentException.class,
                () -> QuantileEstimation.noNoiseBuilder()
                        .setInitialEstimate(1)
                        .setTargetQuantile(0.5)
                        .setLearningRate(0.2)
                        .optMultiplier(-1)
                        .build());
        assertThrows(IllegalArgumentException.class, () -> QuantileEstimation.gaussian(1, 0.5, 0.2, 1, 0, 1, 0));
    }
}
