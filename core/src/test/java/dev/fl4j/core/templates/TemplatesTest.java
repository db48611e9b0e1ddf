package dev.fl4j.core.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.LocalRuntime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TemplatesTest {

    static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    static final TensorType I32 = TensorType.scalar(DType.INT32);
    static final Type COUNT_STATE = FederatedType.server(I32);
    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    static FederatedComputation initCount() {
        return FederatedComputation.noArg(
                "init", COUNT_STATE, (ctx, a) -> ctx.federatedValue(Tensor.scalar(0), dev.fl4j.core.Placement.SERVER));
    }

    static LocalComputation increment() {
        return LocalComputation.of("inc", I32, I32, v -> Tensor.scalar((int) ((Tensor) v).longValue() + 1));
    }

    /** An aggregation process: sums client values, scaled by a factor; counts its rounds in the state. */
    static AggregationProcess scaledSum(String name, float factor) {
        LocalComputation scale =
                LocalComputation.of("scale", F32, F32, v -> Tensor.scalar(((Tensor) v).floatValue() * factor));
        FederatedComputation next = FederatedComputation.of(
                name + "_next",
                StructType.builder()
                        .add("state", COUNT_STATE)
                        .add("value", FederatedType.clients(F32))
                        .build(),
                MeasuredProcess.outputType(COUNT_STATE, FederatedType.server(F32), FederatedType.server(I32)),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue state = ctx.federatedMap(increment(), (FederatedValue) a.get("state"));
                    FederatedValue sum = ctx.federatedSum((FederatedValue) a.get("value"));
                    return new MeasuredProcessOutput(state, ctx.federatedMap(scale, sum), state);
                });
        return new AggregationProcess(initCount(), next);
    }

    @Test
    void iterativeProcessRunsRounds() {
        FederatedComputation next = FederatedComputation.of(
                "next", COUNT_STATE, COUNT_STATE, (ctx, s) -> ctx.federatedMap(increment(), (FederatedValue) s));
        IterativeProcess p = new IterativeProcess(initCount(), next);
        Value state = p.initialize(runtime);
        for (int i = 0; i < 3; i++) {
            state = runtime.invoke(next, state);
        }
        assertEquals(3, ((Tensor) ((ServerValue) state).value()).longValue());
        assertEquals("int32@SERVER", p.stateType().toString());
    }

    @Test
    void initializeWithParameterIsRejected() {
        FederatedComputation badInit = FederatedComputation.of(
                "init", I32, COUNT_STATE, (ctx, a) -> ctx.federatedValue(a, dev.fl4j.core.Placement.SERVER));
        FederatedComputation next = FederatedComputation.of("next", COUNT_STATE, COUNT_STATE, (ctx, s) -> s);
        InitializeParameterException e =
                assertThrows(InitializeParameterException.class, () -> new IterativeProcess(badInit, next));
        assertTrue(e.getMessage().contains("initialize 'init' must take no argument but takes int32"), e.getMessage());
    }

    @Test
    void stateMismatchIsRejectedBothWays() {
        FederatedComputation takesFloat =
                FederatedComputation.of("next", FederatedType.server(F32), FederatedType.server(F32), (ctx, s) -> s);
        StateNotAssignableException in =
                assertThrows(StateNotAssignableException.class, () -> new IterativeProcess(initCount(), takesFloat));
        assertTrue(
                in.getMessage()
                        .contains("next 'next' takes state float32@SERVER but initialize 'init' makes int32@SERVER"),
                in.getMessage());
        FederatedComputation returnsFloat =
                FederatedComputation.of("next", COUNT_STATE, FederatedType.server(F32), (ctx, s) -> s);
        StateNotAssignableException out =
                assertThrows(StateNotAssignableException.class, () -> new IterativeProcess(initCount(), returnsFloat));
        assertTrue(
                out.getMessage().contains("returns state float32@SERVER but takes state int32@SERVER"),
                out.getMessage());
    }

    @Test
    void measuredProcessNeedsMeasuredOutput() {
        FederatedComputation next = FederatedComputation.of(
                "next",
                StructType.of(COUNT_STATE, FederatedType.clients(F32)),
                StructType.of(COUNT_STATE, FederatedType.server(F32)),
                (ctx, a) -> a);
        NotMeasuredProcessOutputException e =
                assertThrows(NotMeasuredProcessOutputException.class, () -> new MeasuredProcess(initCount(), next));
        assertTrue(e.getMessage().contains("must return <state=..,result=..,measurements=..>"), e.getMessage());
    }

    @Test
    void aggregationProcessChecksArgumentsAndPlacements() {
        FederatedComputation oneArg = FederatedComputation.of(
                "next",
                COUNT_STATE,
                MeasuredProcess.outputType(COUNT_STATE, FederatedType.server(F32), FederatedType.server(I32)),
                (ctx, a) -> a);
        assertThrows(NextArgumentCountException.class, () -> new AggregationProcess(initCount(), oneArg));
        FederatedComputation serverValue = FederatedComputation.of(
                "next",
                StructType.builder()
                        .add("state", COUNT_STATE)
                        .add("value", FederatedType.server(F32))
                        .build(),
                MeasuredProcess.outputType(COUNT_STATE, FederatedType.server(F32), FederatedType.server(I32)),
                (ctx, a) -> a);
        PlacementMismatchException e =
                assertThrows(PlacementMismatchException.class, () -> new AggregationProcess(initCount(), serverValue));
        assertTrue(
                e.getMessage()
                        .contains("aggregation value must be at CLIENTS but next 'next' takes value float32@SERVER"),
                e.getMessage());
        FederatedComputation clientResult = FederatedComputation.of(
                "next",
                StructType.builder()
                        .add("state", COUNT_STATE)
                        .add("value", FederatedType.clients(F32))
                        .build(),
                MeasuredProcess.outputType(COUNT_STATE, FederatedType.clients(F32), FederatedType.server(I32)),
                (ctx, a) -> a);
        assertThrows(PlacementMismatchException.class, () -> new AggregationProcess(initCount(), clientResult));
    }

    @Test
    void aggregationProcessRuns() {
        AggregationProcess p = scaledSum("double", 2f);
        assertEquals(false, p.isWeighted());
        assertEquals("float32", p.valueType().toString());
        MeasuredProcessOutput out = p.next(
                runtime, p.initialize(runtime), FederatedValue.clients(List.of(Tensor.scalar(1f), Tensor.scalar(2f))));
        assertEquals(6f, ((Tensor) ((ServerValue) out.result()).value()).floatValue());
        assertEquals(1, ((Tensor) ((ServerValue) out.state()).value()).longValue());
    }

    @Test
    void chainFeedsResultsForwardAndNamesStatesAndMeasurements() {
        LocalComputation triple =
                LocalComputation.of("triple", F32, F32, v -> Tensor.scalar(((Tensor) v).floatValue() * 3));
        FederatedComputation tripleNext = FederatedComputation.of(
                "triple_next",
                StructType.builder()
                        .add("state", COUNT_STATE)
                        .add("value", FederatedType.server(F32))
                        .build(),
                MeasuredProcess.outputType(COUNT_STATE, FederatedType.server(F32), StructType.of()),
                (ctx, arg) -> new MeasuredProcessOutput(
                        ((Struct) arg).get("state"),
                        ctx.federatedMap(triple, (FederatedValue) ((Struct) arg).get("value")),
                        Struct.empty()));
        MeasuredProcess tripler = new MeasuredProcess(initCount(), tripleNext);
        MeasuredProcess chain =
                MeasuredProcess.chain(MeasuredProcess.named("sum", scaledSum("sum", 1f), "triple", tripler));
        assertEquals("<sum=int32@SERVER,triple=int32@SERVER>", chain.stateType().toString());
        MeasuredProcessOutput out = chain.next(
                runtime,
                chain.initialize(runtime),
                FederatedValue.clients(List.of(Tensor.scalar(1f), Tensor.scalar(2f))));
        assertEquals(9f, ((Tensor) ((ServerValue) out.result()).value()).floatValue());
        assertEquals("<sum=int32@SERVER,triple=<>>", out.measurements().type().toString());
        ProcessCompositionException e = assertThrows(
                ProcessCompositionException.class,
                () -> MeasuredProcess.chain(MeasuredProcess.named("triple", tripler, "sum", scaledSum("sum", 1f))));
        assertTrue(
                e.getMessage()
                        .contains("cannot chain 'triple' -> 'sum': 'triple' produces float32@SERVER but 'sum' expects "
                                + "{float32}@CLIENTS"),
                e.getMessage());
    }

    @Test
    void concatenateRunsSideBySide() {
        MeasuredProcess both =
                MeasuredProcess.concatenate(MeasuredProcess.named("a", scaledSum("a", 1f), "b", scaledSum("b", 10f)));
        MeasuredProcessOutput out = both.next(
                runtime,
                both.initialize(runtime),
                Struct.named(
                        "a", FederatedValue.clients(List.of(Tensor.scalar(1f), Tensor.scalar(2f))),
                        "b", FederatedValue.clients(List.of(Tensor.scalar(3f), Tensor.scalar(4f)))));
        Struct result = (Struct) out.result();
        assertEquals(3f, ((Tensor) ((ServerValue) result.get("a")).value()).floatValue());
        assertEquals(70f, ((Tensor) ((ServerValue) result.get("b")).value()).floatValue());
    }

    @Test
    void estimationProcessReportsAndMaps() {
        FederatedComputation next = FederatedComputation.of(
                "next", COUNT_STATE, COUNT_STATE, (ctx, s) -> ctx.federatedMap(increment(), (FederatedValue) s));
        FederatedComputation report = FederatedComputation.of(
                "report",
                COUNT_STATE,
                FederatedType.server(F32),
                (ctx, s) -> ctx.federatedMap(
                        LocalComputation.of("to_float", I32, F32, v -> Tensor.scalar((float) ((Tensor) v).longValue())),
                        (FederatedValue) s));
        EstimationProcess p = new EstimationProcess(initCount(), next, report);
        EstimationProcess bound = p.map(LocalComputation.of(
                "times_2_plus_1", F32, F32, v -> Tensor.scalar(((Tensor) v).floatValue() * 2 + 1)));
        Value state = runtime.invoke(next, runtime.invoke(next, p.initialize(runtime)));
        assertEquals(2f, ((Tensor) ((ServerValue) p.report(runtime, state)).value()).floatValue());
        assertEquals(5f, ((Tensor) ((ServerValue) bound.report(runtime, state)).value()).floatValue());
        FederatedComputation badReport =
                FederatedComputation.of("report", FederatedType.server(F32), FederatedType.server(F32), (ctx, s) -> s);
        assertThrows(StateNotAssignableException.class, () -> new EstimationProcess(initCount(), next, badReport));
    }
}
