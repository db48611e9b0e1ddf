package dev.fl4j.cli.simulate;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.learning.algorithms.ClientWeighting;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.algorithms.FedSgd;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.optimizers.Adagrad;
import dev.fl4j.learning.optimizers.Adam;
import dev.fl4j.learning.optimizers.Optimizer;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.optimizers.Yogi;
import dev.fl4j.learning.templates.DistributionProcess;
import dev.fl4j.learning.templates.LearningProcess;
import java.util.List;
import java.util.Locale;

/**
 * An {@code --algorithm}: fedavg, fedavg-unweighted, fedsgd, fedprox:MU, fedadam, fedyogi,
 * fedadagrad, each with its server optimizer's default learning rate when {@code --server-lr} is
 * not given (SGD 1.0 for FedAvg and FedProx, SGD 0.1 for FedSGD as in TFF, 0.01 for the adaptive
 * ones).
 */
public record AlgorithmChoice(String name, float proximalMu) {

    /** The forms {@code --algorithm} accepts. */
    public static final List<String> FORMS = List.of("fedavg", "fedavg-unweighted", "fedsgd", "fedprox:MU", "fedadam", "fedyogi", "fedadagrad");

    public static AlgorithmChoice parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("fedprox:")) {
            float mu;
            try {
                mu = Float.parseFloat(s.substring(8));
            } catch (NumberFormatException e) {
                throw new UsageException("--algorithm " + spec + ": '" + s.substring(8) + "' is not a number (fedprox:MU, e.g. fedprox:0.01)");
            }
            if (!(mu >= 0) || Float.isInfinite(mu)) {
                throw new UsageException("--algorithm " + spec + ": FedProx's mu must be finite and >= 0");
            }
            return new AlgorithmChoice("fedprox", mu);
        }
        if (FORMS.contains(s) && !s.equals("fedprox:MU")) {
            return new AlgorithmChoice(s, 0f);
        }
        throw new UsageException("unknown algorithm '" + spec + "'; expected one of " + String.join(", ", FORMS));
    }

    /** The server learning rate used when none is given. */
    public float defaultServerLearningRate() {
        return switch (name) {
            case "fedsgd" -> 0.1f;
            case "fedadam", "fedyogi", "fedadagrad" -> 0.01f;
            default -> 1.0f;
        };
    }

    /** The canonical text, e.g. {@code fedprox:0.01}. */
    public String text() {
        return name.equals("fedprox") ? "fedprox:" + proximalMu : name;
    }

    private Optimizer serverOptimizer(float lr) {
        return switch (name) {
            case "fedadam" -> Adam.of(lr);
            case "fedyogi" -> Yogi.of(lr);
            case "fedadagrad" -> Adagrad.of(lr);
            default -> Sgd.of(lr);
        };
    }

    /**
     * Refuses options of local training that this algorithm would ignore: FedSGD's clients take no
     * local steps, so {@code --client-lr} (given at all) and {@code --epochs} other than 1 are errors.
     */
    public void requireApplicable(Float clientLr, int epochs) {
        if (!name.equals("fedsgd")) {
            return;
        }
        if (clientLr != null) {
            throw new UsageException("--client-lr does not apply to --algorithm fedsgd: its clients compute one gradient at the received model"
                    + " and take no local steps; the step size is --server-lr");
        }
        if (epochs != 1) {
            throw new UsageException("--epochs " + epochs + " does not apply to --algorithm fedsgd: its clients compute one gradient over"
                    + " all their data at the received model");
        }
    }

    /** The run header's description, e.g. {@code fedavg (client SGD 0.02, server lr 1.0, 1 epoch)}. */
    public String describe(float clientLr, float serverLr, int epochs) {
        if (name.equals("fedsgd")) {
            return String.format(Locale.ROOT, "%s (server lr %s, one gradient per client and round, no local steps)", text(), serverLr);
        }
        return String.format(Locale.ROOT, "%s (client SGD %s, server lr %s, %d epoch%s)", text(), clientLr, serverLr, epochs, epochs == 1 ? "" : "s");
    }

    /** The learning process. */
    public LearningProcess build(ModelSpec model, AggregationFactory aggregator, DistributionProcess distributor, float clientLr, float serverLr,
            int epochs, long seed) {
        FedAvg.Builder b = name.equals("fedsgd") ? FedSgd.builder(model) : FedAvg.builder(model).setClientOptimizer(Sgd.of(clientLr)).optEpochs(epochs);
        b.optServerOptimizer(serverOptimizer(serverLr)).optModelAggregator(aggregator).optDistributor(distributor).optSeed(seed);
        if (name.equals("fedavg-unweighted")) {
            b.optClientWeighting(ClientWeighting.UNIFORM);
        }
        if (name.equals("fedprox")) {
            b.optProximalMu(proximalMu);
        }
        return b.build();
    }
}
