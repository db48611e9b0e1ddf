package dev.fl4j.bench.jmh;

import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.TensorEncoder;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode time of the FedAvg CNN's largest tensor, the 3136×512 dense kernel (1,605,632
 * elements, 97% of the model), under each preset: the per-client cost of compressing an update.
 * The tensor is Gaussian with the spread of a typical client update (σ = 0.002).
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -cp bench-jmh/target/classes:$(cat bench-jmh/target/classpath.txt) org.openjdk.jmh.Main EncoderBenchmark
 * </pre>
 * (add e.g. {@code -p preset=drive -f 1 -wi 2 -i 3} for a quick look).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncoderBenchmark {

    @Param({
        "uniform8",
        "uniform:4",
        "hadamard-uniform:4",
        "hadamard-uniform:2",
        "nonuniform:3",
        "entropy-uniform:2",
        "drive",
        "randk:0.05"
    })
    public String preset;

    private TensorEncoder encoder;
    private Tensor kernel;
    private TensorType kernelType;
    private Tensor encoded;
    private long seed;

    @Setup
    public void setUp() {
        encoder = Encoders.tensorEncoder(preset);
        SplittableRandom r = new SplittableRandom(17);
        float[] data = new float[3136 * 512];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (r.nextGaussian() * 0.002);
        }
        kernel = Tensor.of(data, 3136, 512);
        kernelType = kernel.type();
        encoded = encoder.encode(kernel, 1);
    }

    @Benchmark
    public Tensor encode() {
        return encoder.encode(kernel, ++seed);
    }

    @Benchmark
    public Tensor decode() {
        return encoder.decode(encoded, kernelType);
    }
}
