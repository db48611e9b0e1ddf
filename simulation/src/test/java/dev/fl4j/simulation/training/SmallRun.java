package dev.fl4j.simulation.training;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.learning.algorithms.FedAvg;
import dev.fl4j.learning.optimizers.Sgd;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.zoo.Models;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import java.nio.file.Path;
import java.util.Map;

/** A small, fast training setup shared by the loop tests and the child process of the kill test. */
final class SmallRun {

    static final int CLIENTS = 20;
    static final int PER_ROUND = 5;

    private SmallRun() {}

    static FedProxSynthetic data() {
        return FedProxSynthetic.builder(1, 1, CLIENTS, 5)
                .optExamplesPerClient(30)
                .build();
    }

    static LearningProcess process() {
        return builder().build();
    }

    /** The same process with client updates aggregated by {@code aggregator}. */
    static LearningProcess process(AggregationFactory aggregator) {
        return builder().optModelAggregator(aggregator).build();
    }

    private static FedAvg.Builder builder() {
        return FedAvg.builder(Models.softmaxRegression(FedProxSynthetic.DIMENSION, FedProxSynthetic.CLASSES))
                .setClientOptimizer(Sgd.of(0.05f))
                .optSeed(3);
    }

    static RunConfig config(long seed, double dropout) {
        return RunConfig.of(Map.of(
                "dataset",
                "synthetic:1,1",
                "model",
                "softmax",
                "seed",
                String.valueOf(seed),
                "dropout",
                String.valueOf(dropout)));
    }

    static TrainingLoop.Builder loop(int rounds, long seed, double dropout, int workers) {
        return loop(process(), rounds, seed, dropout, workers);
    }

    static TrainingLoop.Builder loop(LearningProcess process, int rounds, long seed, double dropout, int workers) {
        return TrainingLoop.builder()
                .setProcess(process)
                .setTrainingData(data())
                .setClientsPerRound(PER_ROUND)
                .setRounds(rounds)
                .setPreprocessing(Preprocessing.batches(8))
                .optSeed(seed)
                .optDropoutRate(dropout)
                .optWorkers(workers);
    }

    /**
     * The {@code dp:0.3} preset (private adaptive zeroing, adaptive-clip Gaussian DP) for this population, δ and budget
     * as given.
     */
    static dev.fl4j.aggregators.DifferentiallyPrivateFactory dp(double delta, double budget) {
        dev.fl4j.aggregators.DifferentiallyPrivateFactory dp =
                dev.fl4j.aggregators.DifferentiallyPrivateFactory.gaussianAdaptive(0.3, PER_ROUND).toBuilder()
                        .optPopulation(CLIENTS)
                        .optDelta(delta)
                        .build();
        return budget < Double.POSITIVE_INFINITY
                ? dp.toBuilder().optEpsilonBudget(budget).build()
                : dp;
    }

    /** A differentially private run of the dp preset, checkpointed every round in {@code dir} with its ledger there. */
    static TrainingLoop.Builder privateCheckpointed(
            Path dir, int rounds, dev.fl4j.aggregators.DifferentiallyPrivateFactory dp) {
        CheckpointStore store = new CheckpointStore(dir);
        dev.fl4j.aggregators.DifferentiallyPrivateFactory ledgered = dp.toBuilder()
                .optLedger(dev.fl4j.simulation.checkpoint.PrivacyLedgerFile.in(store))
                .build();
        return loop(
                        process(dev.fl4j.aggregators.Aggregators.dpAggregator()
                                .setMechanism(ledgered)
                                .build()),
                        rounds,
                        11,
                        0,
                        1)
                .optCheckpoints(store, 1, config(11, 0))
                .optPrivacy(ledgered);
    }

    static TrainingLoop.Builder checkpointed(Path dir, int rounds, long seed, double dropout, int workers) {
        return checkpointed(process(), dir, rounds, seed, dropout, workers);
    }

    static TrainingLoop.Builder checkpointed(
            LearningProcess process, Path dir, int rounds, long seed, double dropout, int workers) {
        return loop(process, rounds, seed, dropout, workers)
                .optCheckpoints(new CheckpointStore(dir), 1, config(seed, dropout));
    }
}
