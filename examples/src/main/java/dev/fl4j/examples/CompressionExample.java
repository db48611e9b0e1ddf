package dev.fl4j.examples;

import dev.fl4j.aggregators.Aggregators;
import dev.fl4j.aggregators.EncodedSumFactory;
import dev.fl4j.aggregators.MeanFactory;
import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.compression.Encoders;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.CommunicationSnapshot;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.EncodedDistribution;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.datasets.FashionMnist;
import dev.fl4j.simulation.datasets.TrainTest;
import dev.fl4j.simulation.partition.Partitioner;
import dev.fl4j.simulation.training.ClientSampler;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TFF's compression tutorials, ported: FedAvg of the FedAvg CNN with 10 clients a round, batch 20,
 * client SGD 0.02 and server SGD 1.0, trained four times and compared —
 * <ol>
 *   <li>uncompressed (the plain weighted mean);</li>
 *   <li>with {@code compression_aggregator()} (the newer tutorial: 8-bit uniform quantization of
 *       tensors above 20,000 elements, after adaptive zeroing and clipping);</li>
 *   <li>with both directions encoded, as the first tutorial does with tensor_encoding: the
 *       broadcast and the aggregation quantized to 8 bits above 10,000 elements.</li>
 * </ol>
 * Each round prints the training metrics and the cumulative broadcast and aggregated bits the
 * runtime counted. TFF trains on EMNIST's writers; fl4j uses Fashion-MNIST split by label shards
 * (non-IID, 100 clients).
 *
 * <p>Arguments: {@code [ROUNDS [CLIENTS_PER_ROUND [EXAMPLES_PER_CLIENT]]]}, by default 5 rounds of
 * 10 clients with all their examples; a smaller {@code EXAMPLES_PER_CLIENT} keeps each client's
 * first examples only, for short runs.
 */
public final class CompressionExample implements Example {

    static final int CLIENTS = 100;
    static final int CLIENTS_PER_ROUND = 10;
    static final int BATCH = 20;
    static final long SEED = 5;

    @Override
    public String name() {
        return "compression";
    }

    @Override
    public String description() {
        return "TFF's compression tutorials: FedAvg CNN uncompressed, with compression_aggregator, encoded both "
                + "ways, and top-k with error feedback";
    }

    @Override
    public int run(PrintStream out, String... args) {
        int[] settings = ExampleArgs.parse(
                name(), args, new String[] {"ROUNDS", "CLIENTS_PER_ROUND", "EXAMPLES_PER_CLIENT"}, new int[] {
                    5, CLIENTS_PER_ROUND, Integer.MAX_VALUE
                });
        int rounds = settings[0];
        int clientsPerRound = settings[1];
        int examplesPerClient = settings[2];
        TrainTest data = FashionMnist.load();
        ClientData clients = Partitioner.shards(2)
                .partition(data.train().ints("y"), CLIENTS, SEED)
                .toClientData(data.train())
                .preprocess(d -> (examplesPerClient == Integer.MAX_VALUE ? d : d.take(examplesPerClient))
                        .shuffle(100, SEED)
                        .batch(BATCH));
        ModelSpec cnn = Models.fedAvgCnn(10);

        LearningProcess original = FedAvg.builder(cnn)
                .setClientOptimizer(Sgd.of(0.02f))
                .optServerOptimizer(Sgd.of(1.0f))
                .build();
        LearningProcess compressed = FedAvg.builder(cnn)
                .setClientOptimizer(Sgd.of(0.02f))
                .optServerOptimizer(Sgd.of(1.0f))
                .optModelAggregator(Aggregators.compressionAggregator().build())
                .build();
        LearningProcess bothWays = FedAvg.builder(cnn)
                .setClientOptimizer(Sgd.of(0.02f))
                .optServerOptimizer(Sgd.of(1.0f))
                .optDistributor(EncodedDistribution.fromName("uniform:8@10000", cnn.weightsType()))
                .optModelAggregator(
                        new MeanFactory(EncodedSumFactory.quantizeAboveThreshold(8, 10_000), new SumFactory()))
                .build();
        LearningProcess errorFeedback = FedAvg.builder(cnn)
                .setClientOptimizer(Sgd.of(0.02f))
                .optServerOptimizer(Sgd.of(1.0f))
                .optModelAggregator(
                        new MeanFactory(EncodedSumFactory.of(Encoders.parse("topk-uniform:0.05:4")), new SumFactory()))
                .build();

        List<String[]> summary = new ArrayList<>();
        summary.add(train(out, "original", original, clients, rounds, clientsPerRound));
        summary.add(train(out, "compression_aggregator", compressed, clients, rounds, clientsPerRound));
        summary.add(train(out, "encoded broadcast + aggregation", bothWays, clients, rounds, clientsPerRound));
        summary.add(train(out, "top-k + error feedback", errorFeedback, clients, rounds, clientsPerRound));
        out.println();
        out.printf(Locale.ROOT, "%-32s %10s %16s %16s%n", "run", "accuracy", "broadcasted_bits", "aggregated_bits");
        for (String[] row : summary) {
            out.printf(Locale.ROOT, "%-32s %10s %16s %16s%n", (Object[]) row);
        }
        return 0;
    }

    private static String[] train(
            PrintStream out,
            String name,
            LearningProcess process,
            ClientData clients,
            int rounds,
            int clientsPerRound) {
        out.println("== " + name);
        ClientSampler sampler = new ClientSampler(clients.clientIds(), clientsPerRound, 0, SEED);
        try (LocalRuntime runtime = LocalRuntime.builder().build()) {
            Value state = process.initialize(runtime);
            double accuracy = Double.NaN;
            for (int round = 0; round < rounds; round++) {
                LearningProcessOutput result = process.next(
                        runtime,
                        state,
                        clients.clientValues(sampler.sample(round + 1).sampled()));
                state = result.state();
                Map<String, Double> m = result.flatMetrics();
                accuracy = m.get("client_work/train/sparse_categorical_accuracy");
                CommunicationSnapshot bits = runtime.communication().snapshot();
                out.printf(
                        Locale.ROOT,
                        "round %2d, loss=%.4f, accuracy=%.4f, broadcasted_bits=%s, aggregated_bits=%s%n",
                        round,
                        m.get("client_work/train/loss"),
                        accuracy,
                        BitFormat.format(bits.broadcastBits()),
                        BitFormat.format(bits.aggregatedBits()));
            }
            CommunicationSnapshot total = runtime.communication().snapshot();
            return new String[] {
                name,
                String.format(Locale.ROOT, "%.4f", accuracy),
                BitFormat.format(total.broadcastBits()),
                BitFormat.format(total.aggregatedBits())
            };
        }
    }
}
