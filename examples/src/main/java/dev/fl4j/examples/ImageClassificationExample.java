package dev.fl4j.examples;

import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.algorithms.FederatedEvaluation;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.datasets.FashionMnist;
import dev.fl4j.simulation.datasets.TrainTest;
import dev.fl4j.simulation.partition.Partition;
import dev.fl4j.simulation.partition.Partitioner;
import dev.fl4j.simulation.training.ClientSampler;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The tff.learning overview's image-classification flow, step by step: a {@link ClientData} of
 * non-IID clients (Fashion-MNIST split by McMahan's shards stands in for EMNIST's writers),
 * {@code preprocess} (repeat for local epochs, shuffle, batch), a model, a learning process built
 * by {@code FedAvg.weighted} (TFF's {@code build_weighted_fed_avg}), the simulation loop of the
 * overview — sample clients, {@code next}, keep the state — and a federated evaluation on
 * held-out clients.
 *
 * <p>Arguments: {@code [ROUNDS [CLIENTS_PER_ROUND [EXAMPLES_PER_CLIENT]]]}, by default 10 rounds of
 * 10 clients with all their examples; a smaller {@code EXAMPLES_PER_CLIENT} keeps each client's
 * (training and held-out) first examples only, for short runs.
 */
public final class ImageClassificationExample implements Example {

    static final int NUM_CLIENTS = 100;
    static final int CLIENTS_PER_ROUND = 10;
    static final int NUM_EPOCHS = 5;
    static final int BATCH_SIZE = 20;
    static final int SHUFFLE_BUFFER = 100;
    static final long SEED = 2024;

    @Override
    public String name() {
        return "image-classification";
    }

    @Override
    public String description() {
        return "tff.learning overview: ClientData, preprocess, build_weighted_fed_avg, sampling loop, federated "
                + "evaluation";
    }

    @Override
    public int run(PrintStream out, String... args) {
        int[] settings = ExampleArgs.parse(
                name(), args, new String[] {"ROUNDS", "CLIENTS_PER_ROUND", "EXAMPLES_PER_CLIENT"}, new int[] {
                    10, CLIENTS_PER_ROUND, Integer.MAX_VALUE
                });
        int rounds = settings[0];
        int clientsPerRound = settings[1];
        int examplesPerClient = settings[2];
        TrainTest data = FashionMnist.load();
        Examples flat = Examples.of(
                data.train().floats("x"), new int[] {784}, data.train().ints("y"));
        Partition partition = Partitioner.shards(2).partition(flat.ints("y"), NUM_CLIENTS, SEED);
        out.println(partition.summary(flat.ints("y")));
        ClientData clients = partition.toClientData(flat);
        if (examplesPerClient != Integer.MAX_VALUE) {
            clients = clients.preprocess(d -> d.take(examplesPerClient));
        }
        ClientData.Split split = clients.trainTestClientSplit(10, SEED);

        ClientData train = split.train()
                .preprocess(
                        d -> d.repeat(NUM_EPOCHS).shuffle(SHUFFLE_BUFFER, SEED).batch(BATCH_SIZE));
        ClientData test = split.test().preprocess(d -> d.batch(BATCH_SIZE));
        out.println("client dataset type: " + train.datasetType());

        ModelSpec model = Models.softmaxRegression(784, 10);
        LearningProcess trainer = FedAvg.builder(model)
                .setClientOptimizer(Sgd.of(0.02f))
                .optServerOptimizer(Sgd.of(1.0f))
                .build();
        out.println("next: " + trainer.nextComputation().type().parameter());

        ClientSampler sampler = new ClientSampler(train.clientIds(), clientsPerRound, 0, SEED);
        try (LocalRuntime runtime = LocalRuntime.builder().build()) {
            Value state = trainer.initialize(runtime);
            for (int round = 1; round <= rounds; round++) {
                LearningProcessOutput result = trainer.next(
                        runtime, state, train.clientValues(sampler.sample(round).sampled()));
                state = result.state();
                Map<String, Double> m = result.flatMetrics();
                out.printf(
                        Locale.ROOT,
                        "round %2d, loss=%.4f, accuracy=%.4f, examples=%d, %s%n",
                        round,
                        m.get("client_work/train/loss"),
                        m.get("client_work/train/sparse_categorical_accuracy"),
                        m.get("client_work/train/num_examples").longValue(),
                        runtime.communication().snapshot());
            }
            Map<String, Double> eval = new LinkedHashMap<>();
            LearningProcessOutput.flatten(
                    "",
                    FederatedEvaluation.build(model)
                            .evaluate(runtime, trainer.getModelWeights(state), test.clientValues(test.clientIds())),
                    eval);
            out.printf(
                    Locale.ROOT,
                    "federated evaluation on %d held-out clients: loss=%.4f, accuracy=%.4f%n",
                    test.clientIds().size(),
                    eval.get("eval/loss"),
                    eval.get("eval/sparse_categorical_accuracy"));
        }
        return 0;
    }
}
