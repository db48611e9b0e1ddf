package dev.fl4j.bench.jmh;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.zoo.Models;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The local runtime's weighted {@code federated_mean} of the FedAvg CNN's update (1,663,370
 * float32) over a round's clients: the server-side cost FedAvg pays once per round.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -cp bench-jmh/target/classes:$(cat bench-jmh/target/classpath.txt) org.openjdk.jmh.Main FederatedMeanBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FederatedMeanBenchmark {

    @Param({"10"})
    public int clients;

    private LocalRuntime runtime;
    private FederatedComputation mean;
    private ClientValues updates;
    private ClientValues weights;

    @Setup
    public void setUp() {
        StructType trainable = (StructType) Models.fedAvgCnn(10).weightsType().get("trainable");
        TensorType weight = TensorType.scalar(dev.fl4j.core.DType.FLOAT32);
        Type param = StructType.builder()
                .add("value", FederatedType.clients(trainable))
                .add("weight", FederatedType.clients(weight))
                .build();
        mean = FederatedComputation.of(
                "weighted_mean",
                param,
                FederatedType.server(trainable),
                (ctx, arg) -> ctx.federatedMean(
                        (FederatedValue) ((Struct) arg).get("value"), (FederatedValue) ((Struct) arg).get("weight")));
        SplittableRandom r = new SplittableRandom(3);
        List<Value> values = new ArrayList<>();
        List<Value> ws = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Struct.Builder b = Struct.builder();
            for (int i = 0; i < trainable.size(); i++) {
                TensorType t = (TensorType) trainable.get(i);
                float[] data = new float[(int) t.numElements()];
                for (int k = 0; k < data.length; k++) {
                    data[k] = (float) (r.nextGaussian() * 0.002);
                }
                b.add(trainable.fields().get(i).name(), Tensor.of(data, t.shape()));
            }
            values.add(b.build());
            ws.add(Tensor.scalar(600f));
        }
        updates = FederatedValue.clients(values);
        weights = FederatedValue.clients(ws);
        runtime = LocalRuntime.builder().build();
    }

    @TearDown
    public void tearDown() {
        runtime.close();
    }

    @Benchmark
    public Value weightedMean() {
        return runtime.invoke(mean, updates, weights);
    }
}
