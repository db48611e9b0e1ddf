package dev.fl4j.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.FederatedComputation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fold's fixed shape (SumAccumulator's class comment): blocks of BLOCK clients in client order,
 * block sums added in block order. One accumulator fed every client equals block accumulators merged
 * in block order, bitwise, however the blocks are grouped into partitions; a round of one block is the
 * plain sequential fold.
 */
class FoldShapeTest {

    private static final int B = SumAccumulator.BLOCK;

    /** Order-sensitive float32 pairs: values of very different magnitudes, deterministic. */
    private static Struct value(int i) {
        float big = (i % 7 == 0) ? 3e7f * (1 + i % 5) : 0.1f * (i % 13) - 0.6f;
        return Struct.named(
                "w", Tensor.of(new float[] {big, -big / 3, i * 1e-3f}, 3), "d", Tensor.scalar(Math.sqrt(i) * 1e12));
    }

    private static double weight(int i) {
        return 1 + (i % 11) * 0.37;
    }

    @Test
    void oneBlockIsThePlainSequentialFold() {
        SumAccumulator acc = new SumAccumulator("test");
        double[] reference = new double[3];
        double weights = 0;
        for (int i = 0; i < B; i++) {
            acc.add(value(i), weight(i));
            float[] v = ((Struct) value(i)).tensor("w").floatData();
            for (int j = 0; j < 3; j++) {
                reference[j] += weight(i) * v[j];
            }
            weights += weight(i);
        }
        assertEquals(weights, acc.totalWeight());
        float[] sum = ((Struct) acc.divided(acc.totalWeight())).tensor("w").floatData();
        for (int j = 0; j < 3; j++) {
            assertEquals(Float.floatToIntBits((float) (reference[j] / weights)), Float.floatToIntBits(sum[j]));
        }
    }

    @Test
    void blocksMergedInBlockOrderEqualOneAccumulatorForAnyPartitioning() {
        int n = 2 * B + B / 2;
        SumAccumulator all = new SumAccumulator("all");
        for (int i = 0; i < n; i++) {
            all.add(value(i), weight(i));
        }
        Value expected = all.divided(all.totalWeight());
        // partitions of 1, 2 and 3 blocks: each partition folds its blocks apart, the driver merges them in order
        for (int blocksPerPartition = 1; blocksPerPartition <= 3; blocksPerPartition++) {
            SumAccumulator merged = new SumAccumulator("merged");
            for (int first = 0; first < n; first += blocksPerPartition * B) {
                List<SumAccumulator> partition = new ArrayList<>();
                for (int b = first; b < Math.min(n, first + blocksPerPartition * B); b += B) {
                    SumAccumulator block = new SumAccumulator("block " + b);
                    for (int i = b; i < Math.min(n, b + B); i++) {
                        block.add(value(i), weight(i));
                    }
                    partition.add(block);
                }
                partition.forEach(merged::mergeBlock);
            }
            assertEquals(expected, merged.divided(merged.totalWeight()), blocksPerPartition + " blocks per partition");
        }
    }

    @Test
    void integerLeavesMergeExactly() {
        int n = B + 7;
        SumAccumulator all = new SumAccumulator("all");
        SumAccumulator merged = new SumAccumulator("merged");
        SumAccumulator block = new SumAccumulator("block");
        for (int i = 0; i < n; i++) {
            Value v = Struct.named("n", Tensor.scalar(i), "x", Tensor.scalar(i * 0.1f));
            all.add(v, 1.0);
            block.add(v, 1.0);
            if (i == B - 1 || i == n - 1) {
                merged.mergeBlock(block);
                block = new SumAccumulator("block");
            }
        }
        assertEquals(all.sum(), merged.sum());
        assertEquals(n * (n - 1) / 2, (int) ((Struct) merged.sum()).tensor("n").longValue());
    }

    @Test
    void theShapeIsPartOfTheSum() {
        // float64: 2^53 then ones. Folded flat, every one is lost to rounding (2^53 + 1 rounds to 2^53);
        // in blocks, the second block's ones are summed first (1024), then added exactly.
        SumAccumulator acc = new SumAccumulator("test");
        double flat = 0;
        for (int i = 0; i < 2 * B; i++) {
            double x = i == 0 ? 0x1p53 : 1.0;
            acc.add(Tensor.of(new double[] {x}, 1), 1.0);
            flat += x;
        }
        double blocked = ((Tensor) acc.sum()).doubleData()[0];
        assertEquals(0x1p53 + B, blocked);
        assertNotEquals(flat, blocked);
    }

    @Test
    void aBlockMergesOnlyAtABlockBoundary() {
        SumAccumulator acc = new SumAccumulator("test");
        acc.add(Tensor.scalar(1f), 1.0);
        SumAccumulator block = new SumAccumulator("block");
        block.add(Tensor.scalar(2f), 1.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> acc.mergeBlock(block));
        assertTrue(e.getMessage().contains("1 values into its block"), e.getMessage());

        SumAccumulator other = new SumAccumulator("test");
        other.mergeBlock(block);
        SumAccumulator wrongType = new SumAccumulator("wrong");
        wrongType.add(Tensor.scalar(2.0), 1.0);
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> other.mergeBlock(wrongType));
        assertTrue(t.getMessage().contains("values differ in type"), t.getMessage());
    }

    /** Records, in its accumulator, the clients it saw and where blocks were merged. */
    private static final class Recording implements Aggregation<List<String>> {
        @Override
        public List<String> zero() {
            return new ArrayList<>();
        }

        @Override
        public List<String> accumulate(List<String> acc, Value v) {
            if (acc.isEmpty()) {
                acc.add("from " + (int) ((Tensor) v).longValue());
            }
            return acc;
        }

        @Override
        public List<String> merge(List<String> a, List<String> b) {
            a.addAll(b);
            return a;
        }

        @Override
        public Value report(List<String> acc) {
            return Tensor.scalar(String.join(",", acc).hashCode());
        }

        @Override
        public Type reportType() {
            return TensorType.scalar(DType.INT32);
        }
    }

    @Test
    void federatedAggregateAccumulatesBlocksAndMergesThemInOrder() {
        int n = 2 * B + 3;
        List<Value> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            members.add(Tensor.scalar(i));
        }
        FederatedComputation c = FederatedComputation.of(
                "aggregate",
                FederatedType.clients(TensorType.scalar(DType.INT32)),
                FederatedType.server(TensorType.scalar(DType.INT32)),
                (ctx, x) -> ctx.federatedAggregate((FederatedValue) x, new Recording()));
        for (int workers = 1; workers <= 2; workers++) {
            try (LocalRuntime rt = LocalRuntime.builder().optWorkers(workers).build()) {
                Value out = rt.invoke(c, ClientValues.of(members));
                Tensor t = (Tensor) (out instanceof ServerValue s ? s.value() : out);
                assertEquals(
                        ("from 0,from " + B + ",from " + 2 * B).hashCode(), (int) t.longValue(), workers + " workers");
            }
        }
    }
}
