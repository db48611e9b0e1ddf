package dev.fl4j.simulation.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.aggregators.UnweightedAggregationFactory;
import dev.fl4j.aggregators.UnweightedMeanFactory;
import dev.fl4j.aggregators.internal.Wrapping;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop stops a private run on the DP aggregator's typed budget signal, and on nothing a metric's name says. */
class PrivacyBudgetStopTest {

    @TempDir
    Path tmp;

    /** Collects {@link RoundListener#stoppedEarly} calls as {@code "round: reason"}. */
    static final class Stops implements RoundListener {
        final List<String> stops = new ArrayList<>();

        @Override
        public void stoppedEarly(int round, String reason) {
            stops.add(round + ": " + reason);
        }
    }

    /**
     * An unweighted mean that also measures {@code privacy/next_round_within_budget = false} (with
     * {@code epsilon} and {@code epsilon_budget}): the names a DP aggregator with an exhausted budget
     * reports, but no DP aggregator and no budget.
     */
    static final class LookalikeFactory implements UnweightedAggregationFactory {
        private static final TensorType F64 = TensorType.scalar(DType.FLOAT64);

        @Override
        public AggregationProcess create(Type valueType) {
            AggregationProcess mean = new UnweightedMeanFactory().create(valueType);
            StructType privacy = StructType.builder()
                    .add("epsilon", F64)
                    .add("epsilon_budget", F64)
                    .add("next_round_within_budget", TensorType.scalar(DType.BOOL))
                    .build();
            Type measurements = StructType.builder()
                    .add("privacy", FederatedType.server(privacy))
                    .add("mean", mean.measurementsType())
                    .build();
            Type state = StructType.builder().add("inner_agg", mean.stateType()).build();
            FederatedComputation init = FederatedComputation.noArg(
                    "lookalike_initialize",
                    state,
                    (ctx, arg) -> Struct.named("inner_agg", ctx.invoke(mean.initializeComputation(), null)));
            return Wrapping.process("lookalike", init, valueType, null, measurements, (ctx, s, value, weight) -> {
                MeasuredProcessOutput out = Wrapping.nextInner(ctx, mean, s.get("inner_agg"), value, null);
                Struct flag = Struct.named(
                        "epsilon",
                        Tensor.scalar(1.0),
                        "epsilon_budget",
                        Tensor.scalar(1.0),
                        "next_round_within_budget",
                        Tensor.scalar(false));
                return new MeasuredProcessOutput(
                        Struct.named("inner_agg", out.state()),
                        out.result(),
                        Struct.named(
                                "privacy", ctx.federatedValue(flag, Placement.SERVER), "mean", out.measurements()));
            });
        }
    }

    @Test
    void aMetricThatMerelyEndsInTheBudgetFlagStopsNothing() {
        Stops listener = new Stops();
        TrainingResult r = SmallRun.loop(SmallRun.process(new LookalikeFactory()), 4, 1, 0, 1)
                .optListener(listener)
                .build()
                .run();
        assertEquals(
                0.0,
                r.last("aggregator/privacy/next_round_within_budget").orElseThrow(),
                "the lookalike flag was reported");
        assertEquals(4, r.rounds(), "a measurement's name is no budget");
        assertEquals(List.of(), listener.stops);
    }

    @Test
    void aResumedPrivateRunStopsWhereTheLedgerSaysTheBudgetEnds() {
        DifferentiallyPrivateFactory unbounded = SmallRun.dp(1e-5, Double.POSITIVE_INFINITY);
        DifferentiallyPrivateFactory dp = unbounded.toBuilder()
                .optEpsilonBudget(unbounded.epsilonAfter(4).epsilon())
                .build();
        assertEquals(4, dp.roundsWithinBudget());
        Path dir = tmp.resolve("ckpt");
        assertEquals(2, SmallRun.privateCheckpointed(dir, 2, dp).build().run().rounds());

        Stops listener = new Stops();
        TrainingResult resumed = SmallRun.privateCheckpointed(dir, 20, dp)
                .optListener(listener)
                .build()
                .run();
        assertEquals(2, resumed.resumedFrom());
        assertEquals(4, resumed.rounds());
        assertEquals(1, listener.stops.size(), listener.stops.toString());
        assertEquals("4: " + dp.exhaustedAfter(4).orElseThrow().reason(), listener.stops.get(0));
        assertTrue(
                listener.stops.get(0).startsWith("4: one more round would exceed the privacy budget (epsilon "),
                listener.stops.get(0));
        assertEquals(4.0, resumed.last("aggregator/zeroing/privacy/rounds").orElseThrow());
    }
}
