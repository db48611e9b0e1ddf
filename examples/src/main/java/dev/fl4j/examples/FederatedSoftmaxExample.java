package dev.fl4j.examples;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.algorithms.FederatedEvaluation;
import dev.fl4j.learning.keras.Activation;
import dev.fl4j.learning.keras.Dense;
import dev.fl4j.learning.keras.InputLayer;
import dev.fl4j.learning.keras.Loss;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.datasets.FashionMnist;
import dev.fl4j.simulation.datasets.TrainTest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The R post "A first look at federated learning with TensorFlow": ten clients, each holding one
 * sequential tenth of the training set in batches of 100; a one-layer softmax model; FedAvg with
 * client SGD 0.02 and server SGD 1.0; twenty rounds, printing the training accuracy. The post used
 * Kuzushiji-MNIST; fl4j uses Fashion-MNIST, which this machine has. As the post suggests, a
 * federated evaluation on the ten clients' test tenths follows, for a realistic view.
 *
 * <p>Arguments: {@code [ROUNDS]} (default 20).
 */
public final class FederatedSoftmaxExample implements Example {

    static final int CLIENTS = 10;
    static final int BATCH = 100;

    @Override
    public String name() {
        return "federated-softmax";
    }

    @Override
    public String description() {
        return "The R post's FedAvg of a softmax model on 10 clients (sequential tenths of Fashion-MNIST), 20 rounds";
    }

    /** A one-layer sequential model, softmax activation, loss on probabilities — as the post defines it. */
    public static ModelSpec model() {
        return new ModelSpec(
                "r_post_softmax",
                List.of(InputLayer.of(784), Dense.of(10, Activation.SOFTMAX)),
                Loss.sparseCategoricalCrossentropy(),
                Models.CLASSIFIER_METRICS);
    }

    /** Ten clients, client {@code i} holding the {@code i}-th tenth of {@code examples}, flattened to 784 features. */
    static ClientData sequentialTenths(Examples examples) {
        Examples flat = Examples.of(examples.floats("x"), new int[] {784}, examples.ints("y"));
        int per = flat.size() / CLIENTS;
        Map<String, Dataset> clients = new LinkedHashMap<>();
        for (int c = 0; c < CLIENTS; c++) {
            int[] rows = new int[per];
            for (int i = 0; i < per; i++) {
                rows[i] = c * per + i;
            }
            clients.put("client_" + c, Dataset.of(flat, rows).batch(BATCH));
        }
        return ClientData.fromMap(clients);
    }

    @Override
    public int run(PrintStream out, String... args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        TrainTest data = FashionMnist.load();
        ClientData train = sequentialTenths(data.train());
        ClientData test = sequentialTenths(data.test());
        LearningProcess fedAvg = FedAvg.builder(model())
                .setClientOptimizer(Sgd.of(0.02f))
                .optServerOptimizer(Sgd.of(1.0f))
                .build();
        try (LocalRuntime runtime = LocalRuntime.builder().build()) {
            ClientValues federatedTrainData = train.clientValues(train.clientIds());
            Value state = fedAvg.initialize(runtime);
            List<Double> accuracy = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                LearningProcessOutput result = fedAvg.next(runtime, state, federatedTrainData);
                state = result.state();
                double acc = result.flatMetrics().get("client_work/train/sparse_categorical_accuracy");
                accuracy.add(acc);
                out.printf(
                        Locale.ROOT,
                        "round: %2d   accuracy: %.4f   loss: %.4f%n",
                        round,
                        acc,
                        result.flatMetrics().get("client_work/train/loss"));
            }
            Map<String, Double> eval = new LinkedHashMap<>();
            LearningProcessOutput.flatten(
                    "",
                    FederatedEvaluation.build(model())
                            .evaluate(runtime, fedAvg.getModelWeights(state), test.clientValues(test.clientIds())),
                    eval);
            out.printf(
                    Locale.ROOT,
                    "federated evaluation on the clients' test data: accuracy %.4f, loss %.4f over %d examples%n",
                    eval.get("eval/sparse_categorical_accuracy"),
                    eval.get("eval/loss"),
                    eval.get("eval/num_examples").longValue());
            out.println("communication: " + runtime.communication().snapshot() + " ("
                    + BitFormat.format(runtime.communication().broadcastBits() / Math.max(1, rounds))
                    + " broadcast per round)");
        }
        return 0;
    }
}
