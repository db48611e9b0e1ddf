package dev.fl4j.simulation.training;

import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Type;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.PrivacyLedgerFile;
import dev.fl4j.simulation.checkpoint.RunConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What makes a {@link TrainingLoop} run differentially private (see "Differentially private runs" on
 * {@link TrainingLoop}): the checks that the run is what the DP aggregator's ε assumes, the metrics
 * it may release, the settings a resume must match, and the statement printed with the run. Public
 * so that a deployed server's private runs ({@code dev.fl4j.deploy.server.DeployServer}) release,
 * check and record exactly what the training loop's do.
 */
public final class PrivateRuns {

    /** Process metrics a private run releases: the DP aggregator's accounting and its noised clip. */
    private static final Pattern RELEASED = Pattern.compile("(.*/)?(privacy|dp_query_metrics)/[^/]+");

    private PrivateRuns() {}

    /** {@link TrainingLoop#privacyStatement}. */
    public static String statement(DifferentiallyPrivateFactory dp) {
        return "privacy: " + dp.describe()
                + "; clients drawn from SecureRandom, not the seed; epsilon covers the model updates and the clip and"
                + " zeroing bounds; not released (epsilon does not cover them): training metrics, "
                + TrainingLoop.CLIENTS_SAMPLED + ", "
                + TrainingLoop.CLIENTS_REPORTING
                + ", bit counts, round time, aggregator counts; evaluation metrics come from held-out data;"
                + " results are not reproducible";
    }

    /** {@code config} with the DP settings added, so that a resume with other DP settings is refused. */
    public static RunConfig withSettings(RunConfig config, DifferentiallyPrivateFactory dp) {
        return config.with("privacy.sampling", "poisson")
                .with("privacy.sampling-rate", String.valueOf(dp.samplingRate()))
                .with("privacy.noise-multiplier", String.valueOf(dp.noiseMultiplier()))
                .with("privacy.delta", String.valueOf(dp.delta()))
                .with(
                        "privacy.epsilon-budget",
                        dp.epsilonBudget().isPresent()
                                ? String.valueOf(dp.epsilonBudget().getAsDouble())
                                : "none")
                .with("privacy.mechanism", dp.describe());
    }

    /**
     * The process metrics a private run may release: the DP aggregator's {@code privacy/…} and {@code
     * dp_query_metrics/…}.
     */
    public static Map<String, Double> released(Map<String, Double> metrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (RELEASED.matcher(k).matches()) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Whether {@code type} (a process's result) holds a DP aggregator's {@code privacy} measurements. */
    public static boolean hasPrivacyMeasurements(Type type) {
        if (type instanceof FederatedType f) {
            return hasPrivacyMeasurements(f.member());
        }
        if (type instanceof StructType st) {
            for (StructType.Field field : st.fields()) {
                if ("privacy".equals(field.name())
                        && field.type() instanceof FederatedType f
                        && f.member() instanceof StructType p
                        && p.fields().stream().anyMatch(x -> "next_round_epsilon".equals(x.name()))) {
                    return true;
                }
                if (hasPrivacyMeasurements(field.type())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Checks that a loop over {@code population} clients, {@code clientsPerRound} expected a round,
     * checkpointed in {@code checkpoints} (or null) every {@code checkpointEvery} rounds, is what
     * {@code dp} accounts for.
     *
     * @throws IllegalArgumentException naming what differs and how to fix it
     */
    public static void check(
            DifferentiallyPrivateFactory dp,
            int population,
            int clientsPerRound,
            CheckpointStore checkpoints,
            int checkpointEvery) {
        if (dp.population() != population) {
            throw new IllegalArgumentException(
                    "the DP aggregator accounts sampling rate q = " + dp.samplingRate() + " for a population of "
                            + (dp.population() == 0 ? "unknown size (q = 1)" : dp.population() + " clients")
                            + ", but the training data has "
                            + population + " clients: build it with toBuilder().optPopulation(" + population + ")");
        }
        if (dp.clientsPerRound() != clientsPerRound) {
            throw new IllegalArgumentException(
                    "the DP aggregator expects " + dp.clientsPerRound() + " clients per round but the loop samples "
                            + clientsPerRound + " in expectation; use the same number for both");
        }
        if (checkpoints == null) {
            return;
        }
        if (checkpointEvery != 1) {
            throw new IllegalArgumentException(
                    "a differentially private run checkpoints every round (so that a resume re-runs as few"
                            + " noised rounds as possible), got a checkpoint interval of " + checkpointEvery
                            + " rounds");
        }
        if (!(dp.ledger() instanceof PrivacyLedgerFile f)
                || !f.dir()
                        .toAbsolutePath()
                        .normalize()
                        .equals(checkpoints.dir().toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(
                    "a differentially private run with checkpoints must record its noised rounds in the"
                            + " checkpoint directory: build the DP aggregator with "
                            + "toBuilder().optLedger(PrivacyLedgerFile.in(store)); it has "
                            + dp.ledger());
        }
    }
}
