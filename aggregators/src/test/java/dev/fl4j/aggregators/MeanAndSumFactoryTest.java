package dev.fl4j.aggregators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeanAndSumFactoryTest {

    static final TensorType VEC2 = new TensorType(DType.FLOAT32, 2);
    static final TensorType F32 = TensorType.scalar(DType.FLOAT32);
    private final LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    static float[] server(Value v) {
        return ((Tensor) ((ServerValue) v).value()).floatData();
    }

    static FederatedValue clients(Value... values) {
        return FederatedValue.clients(List.of(values));
    }

    @Test
    void sumAddsClientValues() {
        AggregationProcess p = new SumFactory().create(VEC2);
        MeasuredProcessOutput out =
                p.next(runtime, p.initialize(runtime), clients(Tensor.vector(1f, 2f), Tensor.vector(3f, 4f)));
        assertArrayEquals(new float[] {4f, 6f}, server(out.result()));
        assertEquals("<>@SERVER", out.measurements().type().toString());
    }

    @Test
    void weightedMeanMatchesHandComputation() {
        AggregationProcess p = new MeanFactory().create(VEC2, F32);
        assertTrue(p.isWeighted());
        MeasuredProcessOutput out = p.next(
                runtime,
                p.initialize(runtime),
                clients(Tensor.vector(1f, 2f), Tensor.vector(3f, 4f), Tensor.vector(10f, 10f)),
                clients(Tensor.scalar(1f), Tensor.scalar(3f), Tensor.scalar(0f)));
        assertArrayEquals(new float[] {(1 + 9) / 4f, (2 + 12) / 4f}, server(out.result()), 1e-6f);
        assertEquals(
                "<mean_value=<>@SERVER,mean_weight=<>@SERVER>",
                out.measurements().type().toString());
        assertEquals(
                3L * (64 + 32),
                runtime.communication().aggregatedBits(),
                "each client sends its weighted value and its weight");
    }

    @Test
    void unweightedMeanIgnoresWeights() {
        AggregationProcess p = new MeanFactory().create(VEC2);
        MeasuredProcessOutput out = p.next(
                runtime,
                p.initialize(runtime),
                clients(Tensor.vector(1f, 2f), Tensor.vector(3f, 4f), Tensor.vector(5f, 0f)));
        assertArrayEquals(new float[] {3f, 2f}, server(out.result()), 1e-6f);
        assertEquals(
                "<mean_value=<>@SERVER,mean_count=<>@SERVER>",
                out.measurements().type().toString());
    }

    @Test
    void zeroTotalWeightGivesZerosNotNaN() {
        AggregationProcess p = new MeanFactory().create(VEC2, F32);
        MeasuredProcessOutput out =
                p.next(runtime, p.initialize(runtime), clients(Tensor.vector(1f, 2f)), clients(Tensor.scalar(0f)));
        assertArrayEquals(new float[] {0f, 0f}, server(out.result()));
    }

    @Test
    void meanOfStructures() {
        StructType model = StructType.builder().add("w", VEC2).add("b", F32).build();
        AggregationProcess p = new MeanFactory().create(model, F32);
        MeasuredProcessOutput out = p.next(
                runtime,
                p.initialize(runtime),
                clients(
                        Struct.named("w", Tensor.vector(2f, 4f), "b", Tensor.scalar(1f)),
                        Struct.named("w", Tensor.vector(4f, 8f), "b", Tensor.scalar(3f))),
                clients(Tensor.scalar(1f), Tensor.scalar(1f)));
        Struct mean = (Struct) ((ServerValue) out.result()).value();
        assertArrayEquals(new float[] {3f, 6f}, mean.tensor("w").floatData());
        assertEquals(2f, mean.tensor("b").floatValue());
    }

    @Test
    void wrongTypesAreRejectedAtCreate() {
        TypeMismatchException ints = assertThrows(
                TypeMismatchException.class, () -> new MeanFactory().create(TensorType.scalar(DType.INT32), F32));
        assertTrue(ints.getMessage().contains("MeanFactory aggregates floating tensors"), ints.getMessage());
        TypeMismatchException weight =
                assertThrows(TypeMismatchException.class, () -> new MeanFactory().create(VEC2, VEC2));
        assertTrue(weight.getMessage().contains("needs a floating scalar weight"), weight.getMessage());
        assertThrows(TypeMismatchException.class, () -> new SumFactory().create(TensorType.scalar(DType.BOOL)));
    }
}
