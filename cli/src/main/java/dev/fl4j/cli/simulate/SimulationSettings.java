package dev.fl4j.cli.simulate;

import dev.fl4j.simulation.export.ModelExport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything {@code fl4j simulate} was asked to do, after the command line and the config file are
 * merged. {@code model}, {@code clientLr} and {@code serverLr} may be null (dataset's default,
 * {@value #DEFAULT_CLIENT_LR}, algorithm's default);
 * {@code clientLrSchedule} and {@code serverLrSchedule} null mean a constant rate;
 * {@code partition} null means the default IID split for centralised datasets;
 * {@code secureAggregation} is a {@link SecureAggregationSpec} ({@code plain} by default);
 * {@code secaggDropouts} its simulated dropouts ({@code --secagg-dropouts}), null for none;
 * {@code export} null means the trained model is not exported;
 * {@code table} holds the options of a {@code csv:} or {@code parquet:} dataset (null: none given);
 * {@code training} the optimizer and {@code --init} options (null: none given);
 * {@code personalization} the {@code --personalization} strategies (null or empty: none).
 */
public record SimulationSettings(
        String dataset,
        String partition,
        Integer clients,
        int clientsPerRound,
        int rounds,
        int epochs,
        int batch,
        String model,
        String algorithm,
        Float clientLr,
        Float serverLr,
        String clientLrSchedule,
        String serverLrSchedule,
        List<String> aggregators,
        int evalEvery,
        int evalClients,
        long seed,
        int workers,
        Path tensorboard,
        Path csv,
        Path jsonl,
        Path plot,
        Path checkpointDir,
        int checkpointEvery,
        double dropout,
        int examplesPerClient,
        String broadcast,
        double dpDelta,
        Double epsilonBudget,
        String secureAggregation,
        String secaggDropouts,
        Path export,
        TableSpec table,
        TrainingOptions training,
        List<String> personalization) {

    /** The client learning rate when {@code --client-lr} is not given. */
    public static final float DEFAULT_CLIENT_LR = 0.02f;

    public SimulationSettings {
        aggregators = List.copyOf(aggregators);
        table = table == null ? TableSpec.NONE : table;
        training = training == null ? TrainingOptions.NONE : training;
        personalization = personalization == null ? List.of() : List.copyOf(personalization);
    }

    /** The client learning rate, given or default. */
    public float clientLrOrDefault() {
        return clientLr != null ? clientLr : DEFAULT_CLIENT_LR;
    }

    /**
     * Every option of {@code fl4j simulate} as this run was started, by option name without dashes, after the command
     * ({@code command=simulate}): what each artefact's provenance records. An option not given has its default; one
     * whose default depends on the data ({@code --clients}, {@code --server-lr}, {@code --partition},
     * {@code --model}) is absent here and filled in by the simulation once it is known; an output not asked for is
     * absent. Several {@code --aggregator}s are joined by {@code ;}.
     */
    public SortedMap<String, String> options() {
        TreeMap<String, String> o = new TreeMap<>();
        o.put("command", "simulate");
        o.put("dataset", dataset);
        putIfGiven(o, "partition", partition);
        putIfGiven(o, "clients", clients);
        o.put("clients-per-round", String.valueOf(clientsPerRound));
        o.put("rounds", String.valueOf(rounds));
        o.put("epochs", String.valueOf(epochs));
        o.put("batch", String.valueOf(batch));
        putIfGiven(o, "model", model);
        o.put("algorithm", algorithm);
        o.put("client-lr", String.valueOf(clientLrOrDefault()));
        putIfGiven(o, "server-lr", serverLr);
        putIfGiven(o, "client-lr-schedule", clientLrSchedule);
        putIfGiven(o, "server-lr-schedule", serverLrSchedule);
        o.put("aggregator", String.join(";", aggregators));
        o.put("broadcast", broadcast);
        o.put("dp-delta", String.valueOf(dpDelta));
        putIfGiven(o, "epsilon-budget", epsilonBudget);
        o.put("secure-aggregation", secureAggregation == null ? "plain" : secureAggregation);
        putIfGiven(o, "secagg-dropouts", secaggDropouts);
        o.put("eval-every", String.valueOf(evalEvery));
        o.put("eval-clients", String.valueOf(evalClients));
        o.put("seed", String.valueOf(seed));
        o.put("workers", String.valueOf(workers));
        o.put("examples-per-client", String.valueOf(examplesPerClient));
        o.put("dropout", String.valueOf(dropout));
        putIfGiven(o, "tensorboard", tensorboard);
        putIfGiven(o, "csv", csv);
        putIfGiven(o, "jsonl", jsonl);
        putIfGiven(o, "plot", plot);
        putIfGiven(o, "checkpoint-dir", checkpointDir);
        putIfGiven(o, "export", export);
        o.put("checkpoint-every", String.valueOf(checkpointEvery));
        table.putOptions(o);
        training.putGiven(o);
        if (!personalization.isEmpty()) {
            o.put("personalization", String.join(",", personalization));
        }
        return o;
    }

    private static void putIfGiven(Map<String, String> options, String name, Object value) {
        if (value != null) {
            options.put(name, value.toString());
        }
    }

    /** Checks what can be checked without loading data. */
    void validate() {
        positive("--clients-per-round", clientsPerRound);
        if (clients != null) {
            positive("--clients", clients);
        }
        if (rounds < 1) {
            throw new UsageException(
                    "--rounds must be at least 1 (a simulation trains for that many rounds), got " + rounds);
        }
        positive("--epochs", epochs);
        positive("--batch", batch);
        positive("--eval-every", evalEvery);
        positive("--workers", workers);
        positive("--checkpoint-every", checkpointEvery);
        if (evalClients < 0) {
            throw new UsageException("--eval-clients must be 0 (all) or positive, got " + evalClients);
        }
        if (examplesPerClient < 0) {
            throw new UsageException("--examples-per-client must be 0 (all) or positive, got " + examplesPerClient);
        }
        if (clientLr != null && (!(clientLr > 0) || Float.isInfinite(clientLr))) {
            throw new UsageException("--client-lr must be a positive finite number, got " + clientLr);
        }
        if (serverLr != null && (!(serverLr > 0) || Float.isInfinite(serverLr))) {
            throw new UsageException("--server-lr must be a positive finite number, got " + serverLr);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UsageException("--dropout must be in [0, 1), got " + dropout);
        }
        if (!(dpDelta > 0 && dpDelta < 1)) {
            throw new UsageException("--dp-delta must be in (0, 1), got " + dpDelta);
        }
        if (epsilonBudget != null && !(epsilonBudget > 0)) {
            throw new UsageException("--epsilon-budget must be positive, got " + epsilonBudget);
        }
        if (broadcast == null || broadcast.isBlank()) {
            throw new UsageException("--broadcast needs an encoder name, e.g. none or uniform8");
        }
        if (aggregators.isEmpty() || aggregators.stream().anyMatch(String::isBlank)) {
            throw new UsageException("--aggregator needs at least one aggregator spec, e.g. mean or mean,compression");
        }
        SecureAggregationSpec.parse(secureAggregation, secaggDropouts, seed);
        if (export != null) {
            try {
                ModelExport.checkTarget(export);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--export " + e.getMessage());
            }
        }
        if (partition != null && !SimulationData.isCentralised(dataset, table)) {
            throw new UsageException("--partition applies to centralised datasets (fashion-mnist, mnist, tables"
                    + " without --client-column); " + dataset + " is already split by clients");
        }
    }

    private static void positive(String option, int v) {
        if (v < 1) {
            throw new UsageException(option + " must be at least 1, got " + v);
        }
    }
}
