package dev.fl4j.examples;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.aggregators.ClippingFactory;
import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.aggregators.EncodedSumFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.Measurements;
import dev.fl4j.aggregators.Norm;
import dev.fl4j.aggregators.QuantileEstimation;
import dev.fl4j.aggregators.SecureSumFactory;
import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.aggregators.ZeroingFactory;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.templates.EstimationProcess;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.datasets.FashionMnist;
import dev.fl4j.simulation.datasets.TrainTest;
import dev.fl4j.simulation.partition.Partitioner;
import dev.fl4j.simulation.training.ClientSampler;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * TFF's "Tuning recommended aggregations for learning": the aggregators the tutorial builds —
 * the weighted mean, zeroing with an adaptive L∞ norm, adaptive clipping, adaptive Gaussian DP,
 * 8-bit compression, secure aggregation with an adaptive bound, and zeroing → clipping →
 * compression composed by nesting — each used as FedAvg's model aggregator for a few rounds of a
 * 2NN (200-200) on Fashion-MNIST (100 IID clients, 20 a round), printing each round's accuracy,
 * the aggregator's own measurements and the aggregated bits.
 *
 * <p>Arguments: {@code [ROUNDS]} (default 3).
 */
public final class RecommendedAggregationsExample implements Example {

    static final int CLIENTS = 100;
    static final int CLIENTS_PER_ROUND = 20;
    static final long SEED = 3;

    @Override
    public String name() {
        return "aggregations";
    }

    @Override
    public String description() {
        return "TFF's recommended aggregations: zeroing, clipping, DP, compression, secure sum and their composition "
                + "inside FedAvg";
    }

    /** The tutorial's aggregators, in its order. */
    static Map<String, AggregationFactory> aggregators() {
        Map<String, AggregationFactory> m = new LinkedHashMap<>();
        m.put("mean", new MeanFactory());
        EstimationProcess zeroingNorm = QuantileEstimation.noNoiseBuilder()
                .setInitialEstimate(10.0)
                .setTargetQuantile(0.98)
                .setLearningRate(Math.log(10))
                .optMultiplier(2.0)
                .optIncrement(1.0)
                .build();
        m.put("zeroing_mean", ZeroingFactory.adaptive(zeroingNorm, Norm.LINF, new MeanFactory()));
        m.put("clipping_mean", ClippingFactory.adaptive(QuantileEstimation.noNoise(1.0, 0.8, 0.2), new MeanFactory()));
        // This tour samples a fixed-size cohort from a known seed, so ε claims no amplification by
        // sampling (q = 1, no population given); a DP run proper is TrainingLoop.optPrivacy (Poisson, SecureRandom).
        m.put("dp_mean", DifferentiallyPrivateFactory.gaussianAdaptive(0.1, CLIENTS_PER_ROUND));
        m.put(
                "compressed_mean",
                new MeanFactory(EncodedSumFactory.quantizeAboveThreshold(8, 20_000), new SumFactory()));
        EstimationProcess secureBound = QuantileEstimation.noNoiseBuilder()
                .setInitialEstimate(50.0)
                .setTargetQuantile(0.95)
                .setLearningRate(1.0)
                .optMultiplier(2.0)
                .build();
        m.put("secure_mean", new MeanFactory(SecureSumFactory.adaptive(secureBound), new SumFactory()));
        AggregationFactory compressed =
                new MeanFactory(EncodedSumFactory.quantizeAboveThreshold(8, 20_000), new SumFactory());
        AggregationFactory clippedCompressed = ClippingFactory.fixed(1.0, compressed);
        m.put("zeroing_clipping_compression", ZeroingFactory.fixed(10.0, Norm.LINF, clippedCompressed));
        return m;
    }

    @Override
    public int run(PrintStream out, String... args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        TrainTest data = FashionMnist.load();
        Examples flat = Examples.of(
                data.train().floats("x"), new int[] {784}, data.train().ints("y"));
        ClientData clients = Partitioner.iid()
                .partition(flat.ints("y"), CLIENTS, SEED)
                .toClientData(flat)
                .preprocess(d -> d.shuffle(100, SEED).batch(20));
        ModelSpec model = Models.twoNN(10);
        ClientSampler sampler = new ClientSampler(clients.clientIds(), CLIENTS_PER_ROUND, 0, SEED);
        for (Map.Entry<String, AggregationFactory> e : aggregators().entrySet()) {
            out.println("== " + e.getKey() + ": " + e.getValue());
            LearningProcess fedAvg = FedAvg.builder(model)
                    .setClientOptimizer(Sgd.of(0.02f))
                    .optServerOptimizer(Sgd.of(1.0f))
                    .optModelAggregator(e.getValue())
                    .build();
            try (LocalRuntime runtime = LocalRuntime.builder().build()) {
                Value state = fedAvg.initialize(runtime);
                for (int round = 0; round < rounds; round++) {
                    LearningProcessOutput result = fedAvg.next(
                            runtime,
                            state,
                            clients.clientValues(sampler.sample(round + 1).sampled()));
                    state = result.state();
                    Map<String, Double> measured =
                            Measurements.flatten(result.metrics().get("aggregator"));
                    out.printf(
                            Locale.ROOT,
                            "round %d, accuracy=%.4f, aggregated_bits=%s, aggregator: %s%n",
                            round,
                            result.flatMetrics().get("client_work/train/sparse_categorical_accuracy"),
                            BitFormat.format(runtime.communication().aggregatedBits()),
                            format(measured));
                }
            }
        }
        return 0;
    }

    private static String format(Map<String, Double> measured) {
        return measured.isEmpty()
                ? "<>"
                : measured.entrySet().stream()
                        .map(m -> m.getKey() + "=" + String.format(Locale.ROOT, "%.4g", m.getValue()))
                        .collect(Collectors.joining(", "));
    }
}
