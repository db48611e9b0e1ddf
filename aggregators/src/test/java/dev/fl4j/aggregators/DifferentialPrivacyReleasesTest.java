package dev.fl4j.aggregators;

import static dev.fl4j.aggregators.Fixtures.VEC2;
import static dev.fl4j.aggregators.Fixtures.measurement;
import static dev.fl4j.aggregators.Fixtures.server;
import static dev.fl4j.aggregators.Fixtures.vectors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.privacy.PrivacyLedger;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Everything a DP aggregator lets the server learn is noised and inside ε; a resumed run re-spends, never forgets. */
class DifferentialPrivacyReleasesTest {

    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(1).build();

    @AfterEach
    void close() {
        runtime.close();
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
    void theDpPresetsZeroingBoundIsNoisedAndItsCountIsInsideTheNoiseMultiplier() {
        AggregationFactory preset = Aggregators.dpAggregator()
                .setNoiseMultiplier(0.3)
                .setClientsPerRound(5)
                .build();
        double first = zeroingBoundAfterOneRound(preset);
        double second = zeroingBoundAfterOneRound(preset);
        assertNotEquals(
                first, second, "the same clients give two different zeroing bounds: the estimate carries fresh noise");

        DifferentiallyPrivateFactory dp = core(preset);
        double z = dp.noiseMultiplier();
        double sigma = 0.05 * 5;
        assertEquals(2, dp.countStddevs().length, "adaptive clip count and zeroing count");
        double inverse = 1 / (dp.valueNoiseMultiplier() * dp.valueNoiseMultiplier()) + 2 / (4 * sigma * sigma);
        assertEquals(1 / (z * z), inverse, 1e-9, "z⁻² = z_Δ⁻² + (2σ_b)⁻² + (2σ_zeroing)⁻² (Andrew et al. 2019)");
    }

    @Test
    void aRoundWithNoClientsStillReleasesOnlyNoiseOverTheExpectedCohort() {
        AggregationProcess p = DifferentiallyPrivateFactory.gaussianFixed(1.0, 4, 2.0).toBuilder()
                .optPopulation(40)
                .build()
                .create(VEC2);
        MeasuredProcessOutput out = p.next(runtime, p.initialize(runtime), ClientValues.of(VEC2, List.of(), List.of()));
        float[] mean = server(out.result());
        assertTrue(mean[0] != 0 && mean[1] != 0, "noise is added to the empty sum");
        assertEquals(1.0, measurement(out.measurements(), "privacy/rounds"), "an empty round is still a release");
    }

    @Test
    void aRoundRunAgainAfterAResumeIsCountedAgainFromTheLedger() {
        PrivacyLedger ledger = PrivacyLedger.inMemory();
        DifferentiallyPrivateFactory f = DifferentiallyPrivateFactory.gaussianFixed(1.0, 2, 1.0).toBuilder()
                .optPopulation(20)
                .optLedger(ledger)
                .build();
        AggregationProcess p = f.create(VEC2);
        Value afterRound1 = p.next(runtime, p.initialize(runtime), vectors(new float[] {1, 0}))
                .state();
        MeasuredProcessOutput round2 = p.next(runtime, afterRound1, vectors(new float[] {1, 0}));
        assertEquals(2.0, measurement(round2.measurements(), "privacy/rounds"));
        assertEquals(2, ledger.spent());

        // Killed after round 2 was released but before it was checkpointed: the run resumes from round 1's state.
        MeasuredProcessOutput rerun = p.next(runtime, afterRound1, vectors(new float[] {1, 0}));
        assertEquals(3.0, measurement(rerun.measurements(), "privacy/rounds"), "both releases of round 2 are spent");
        assertEquals(f.epsilonAfter(3).epsilon(), measurement(rerun.measurements(), "privacy/epsilon"));
        assertEquals(3, ledger.spent());
    }

    @Test
    void aBudgetCountsTheLedgerToo() {
        PrivacyLedger ledger = PrivacyLedger.inMemory();
        DifferentiallyPrivateFactory f = DifferentiallyPrivateFactory.gaussianFixed(1.0, 2, 1.0).toBuilder()
                .optPopulation(20)
                .optLedger(ledger)
                .build();
        long allowed = f.toBuilder().optEpsilonBudget(1.0).build().roundsWithinBudget();
        ledger.record(allowed);
        AggregationProcess p = f.toBuilder().optEpsilonBudget(1.0).build().create(VEC2);
        Exception e = assertThrows(
                RuntimeException.class, () -> p.next(runtime, p.initialize(runtime), vectors(new float[] {1, 0})));
        Throwable t = e;
        while (!(t instanceof PrivacyBudgetExceededException) && t.getCause() != null) {
            t = t.getCause();
        }
        assertInstanceOf(
                PrivacyBudgetExceededException.class, t, "a fresh state does not reset what the ledger says is spent");
        assertEquals(allowed, ledger.spent(), "a refused round records nothing");
    }

    @Test
    void theClippedUpdateNeverExceedsTheClipTheNoiseIsCalibratedTo() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        int d = 1000;
        dev.fl4j.core.TensorType type = new dev.fl4j.core.TensorType(dev.fl4j.core.DType.FLOAT32, d);
        AggregationProcess p =
                DifferentiallyPrivateFactory.gaussianFixed(0, 1, 1.0).create(type);
        Value state = p.initialize(runtime);
        for (int trial = 0; trial < 100; trial++) {
            float[] update = new float[d];
            for (int i = 0; i < d; i++) {
                update[i] = (float) random.nextGaussian();
            }
            float[] clipped = server(p.next(
                            runtime,
                            state,
                            dev.fl4j.core.FederatedValue.clients(List.of(dev.fl4j.core.Tensor.of(update, d))))
                    .result());
            double norm = 0;
            for (float x : clipped) {
                norm += (double) x * x;
            }
            assertTrue(
                    Math.sqrt(norm) <= 1.0,
                    "trial " + trial + ": the clipped update has norm " + Math.sqrt(norm) + " > the clip 1.0");
        }
    }
}
