package dev.fl4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.aggregators.Aggregators;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.ListSequence;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.types.DType;
import dev.fl4j.core.types.FederatedType;
import dev.fl4j.core.types.SequenceType;
import dev.fl4j.core.types.TensorType;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.datasets.FashionMnist;
import dev.fl4j.simulation.datasets.TrainTest;
import dev.fl4j.simulation.partition.Partitioner;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's Java quickstarts, as written there (the FedAvg one for two rounds). */
class ReadmeQuickstartTest {

    @Test
    void federatedCoreQuickstart() {
        TensorType f32 = TensorType.scalar(DType.FLOAT32);
        LocalComputation localAverage = LocalComputation.of("get_local_temperature_average",
                new SequenceType(f32), f32, readings -> {
                    float sum = 0; int n = 0;
                    for (Value r : (ListSequence) readings) { sum += ((Tensor) r).floatValue(); n++; }
                    return Tensor.scalar(sum / n);
                });
        FederatedComputation globalAverage = FederatedComputation.of("get_global_temperature_average",
                FederatedType.clients(new SequenceType(f32)), FederatedType.server(f32),
                (ctx, readings) -> ctx.federatedMean(ctx.federatedMap(localAverage, (FederatedValue) readings)));
        assertEquals("({float32*}@CLIENTS -> float32@SERVER)", globalAverage.type().toString());
        try (LocalRuntime runtime = LocalRuntime.builder().optWorkers(2).build()) {
            Value mean = globalAverage.invoke(runtime, FederatedValue.clients(List.of(
                    ListSequence.ofFloats(1, 1, 1), ListSequence.ofFloats(13))));
            assertEquals("float32 7.0@SERVER", mean.toString());
            assertEquals("broadcasted_bits=0.00bit, aggregated_bits=64.00bit", runtime.communication().snapshot().toString());
        }
    }

    @Test
    void fedAvgQuickstart() {
        TrainTest data = FashionMnist.load();
        ClientData clients = Partitioner.shards(2).partition(data.train().ints("y"), 100, 42)
                .toClientData(data.train()).preprocess(d -> d.shuffle(100, 42).batch(20));
        LearningProcess fedAvg = FedAvg.builder(Models.fedAvgCnn(10))
                .setClientOptimizer(Sgd.of(0.02f))
                .optServerOptimizer(Sgd.of(1.0f))
                .optModelAggregator(Aggregators.compressionAggregator().build())
                .build();
        try (LocalRuntime runtime = LocalRuntime.builder().build()) {
            Value state = fedAvg.initialize(runtime);
            for (int round = 0; round < 1; round++) {
                List<String> sampled = clients.clientIds().subList(10 * round, 10 * round + 2);
                LearningProcessOutput out = fedAvg.next(runtime, state, clients.clientValues(sampled));
                state = out.state();
                assertTrue(out.flatMetrics().get("client_work/train/sparse_categorical_accuracy") > 0);
            }
            assertTrue(runtime.communication().aggregatedBits() < runtime.communication().broadcastBits() / 3);
        }
    }
}
