package dev.fl4j.cli.spec;

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
 * ones). {@link #parse} reads the text with the shared {@link SpecGrammar}; its errors are
 * {@link SpecException}s ({@code algorithm 'fedprox:x': MU must be a number, got 'x'; valid forms: ...}).
 */
public record AlgorithmChoice(String name, float proximalMu) {

    /** The forms {@code --algorithm} accepts. */
    public static final List<String> FORMS =
            List.of("fedavg", "fedavg-unweighted", "fedsgd", "fedprox:MU", "fedadam", "fedyogi", "fedadagrad");

    private static final SpecGrammar GRAMMAR = new SpecGrammar("algorithm", FORMS);

    /**
     * The algorithm {@code spec} names.
     *
     * @throws SpecException for an unknown name, a wrong parameter count, or a MU that is not a finite number >= 0
     */
    public static AlgorithmChoice parse(String spec) {
        return GRAMMAR.parse(spec, text -> {
            SpecTerm term = GRAMMAR.term(text);
            switch (term.name()) {
                case "fedprox" -> {
                    term.expect(1);
                    double mu = term.number(0, "MU");
                    if (!(mu >= 0) || !Float.isFinite((float) mu)) {
                        throw new IllegalArgumentException("FedProx's MU must be finite and >= 0, got '"
                                + term.params().get(0) + "'");
                    }
                    return new AlgorithmChoice("fedprox", (float) mu);
                }
                case "fedavg", "fedavg-unweighted", "fedsgd", "fedadam", "fedyogi", "fedadagrad" -> {
                    term.expect(0);
                    return new AlgorithmChoice(term.name(), 0f);
                }
                default -> throw term.unknown();
            }
        });
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
     *
     * @throws IllegalArgumentException naming the option that does not apply
     */
    public void requireApplicable(Float clientLr, int epochs) {
        if (!name.equals("fedsgd")) {
            return;
        }
        if (clientLr != null) {
            throw new IllegalArgumentException(
                    "--client-lr does not apply to --algorithm fedsgd: its clients compute one gradient at the "
                            + "received model"
                            + " and take no local steps; the step size is --server-lr");
        }
        if (epochs != 1) {
            throw new IllegalArgumentException("--epochs " + epochs
                    + " does not apply to --algorithm fedsgd: its clients compute one gradient over"
                    + " all their data at the received model");
        }
    }

    /** The run header's description, e.g. {@code fedavg (client SGD 0.02, server lr 1.0, 1 epoch)}. */
    public String describe(float clientLr, float serverLr, int epochs) {
        if (name.equals("fedsgd")) {
            return String.format(
                    Locale.ROOT,
                    "%s (server lr %s, one gradient per client and round, no local steps)",
                    text(),
                    serverLr);
        }
        return String.format(
                Locale.ROOT,
                "%s (client SGD %s, server lr %s, %d epoch%s)",
                text(),
                clientLr,
                serverLr,
                epochs,
                epochs == 1 ? "" : "s");
    }

    /** The learning process. */
    public LearningProcess build(
            ModelSpec model,
            AggregationFactory aggregator,
            DistributionProcess distributor,
            float clientLr,
            float serverLr,
            int epochs,
            long seed) {
        FedAvg.Builder b = name.equals("fedsgd")
                ? FedSgd.builder(model)
                : FedAvg.builder(model).setClientOptimizer(Sgd.of(clientLr)).optEpochs(epochs);
        b.optServerOptimizer(serverOptimizer(serverLr))
                .optModelAggregator(aggregator)
                .optDistributor(distributor)
                .optSeed(seed);
        if (name.equals("fedavg-unweighted")) {
            b.optClientWeighting(ClientWeighting.UNIFORM);
        }
        if (name.equals("fedprox")) {
            b.optProximalMu(proximalMu);
        }
        return b.build();
    }
}
