package dev.fl4j.bench.jmh;

import dev.fl4j.compression.Encoders;
import dev.fl4j.compression.ValueEncoder;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
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
 * Encode and decode time of a whole model with the encoders of the README's both-directions compression pairs, on
 * the shapes of the two-layer {@code two_nn} model those figures were measured on (784×200, 200, 200×200, 200, 200×10,
 * 10: 199,210 weights; Gaussian, σ = 0.05): one codec call of the four a client's round costs (broadcast encode and
 * decode, update encode and decode).
 *
 * <pre>
 * mvn -q -pl bench-jmh -am package -DskipTests
 * java -cp bench-jmh/target/classes:$(cat bench-jmh/target/classpath.txt) org.openjdk.jmh.Main ModelCodecBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ModelCodecBenchmark {

    @Param({
        "drive",
        "drive@0",
        "hadamard-uniform:4",
        "hadamard-lloyd:3@0",
        "sampled-lloyd:0.5:1@0",
        "sampled-drive:0.5@0"
    })
    public String preset;

    private ValueEncoder encoder;
    private Struct model;
    private Type modelType;
    private Value state;
    private Value encoded;
    private long seed;

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(17);
        model = Struct.builder()
                .add("w1", gaussian(r, 784, 200))
                .add("b1", gaussian(r, 200))
                .add("w2", gaussian(r, 200, 200))
                .add("b2", gaussian(r, 200))
                .add("w3", gaussian(r, 200, 10))
                .add("b3", gaussian(r, 10))
                .build();
        modelType = model.type();
        encoder = Encoders.parse(preset);
        state = encoder.initialState(modelType);
        encoded = encoder.encode(model, 1, state).value();
    }

    private static Tensor gaussian(SplittableRandom r, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 0.05);
        }
        return Tensor.of(v, shape);
    }

    @Benchmark
    public Value encode() {
        return encoder.encode(model, ++seed, state).value();
    }

    @Benchmark
    public Value decode() {
        return encoder.decode(encoded, modelType);
    }
}
