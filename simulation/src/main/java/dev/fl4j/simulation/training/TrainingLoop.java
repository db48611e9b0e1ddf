package dev.fl4j.simulation.training;

import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.CommunicationSnapshot;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.types.FederatedType;
import dev.fl4j.core.types.Type;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.simulation.checkpoint.Checkpoint;
import dev.fl4j.simulation.checkpoint.CheckpointException;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.PrivacyLedgerFile;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.checkpoint.ServerStates;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.metrics.MetricsSink;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * TFF's {@code tff.simulation.run_training_process}: runs a {@link LearningProcess} for a number of
 * rounds over simulated clients. Each round
 * <ol>
 *   <li>samples clients ({@link ClientSampler}: uniform without replacement from the run seed,
 *       optional drop-out; Poisson from {@link SecureRandom} in a private run);</li>
 *   <li>hands the reporting clients' datasets to the process as one lazy {@code {T*}@CLIENTS}
 *       value: a client's data is loaded and {@linkplain Preprocessing preprocessed} (shuffle seeded
 *       by run seed, round and client; batch) on the worker that trains it;</li>
 *   <li>runs {@code next} on the runtime and adds what it broadcast and aggregated to the cumulative
 *       {@value #BROADCASTED_BITS} and {@value #AGGREGATED_BITS};</li>
 *   <li>every {@code evaluateEvery} rounds and after the last, evaluates the model
 *       ({@link ModelEvaluation});</li>
 *   <li>writes the round's metrics to the sinks and flushes them (a killed run leaves readable
 *       files and charts up to its last round), and every {@code checkpointEvery} rounds and after
 *       the last, saves a {@link Checkpoint}.</li>
 * </ol>
 * With evaluation configured, a fresh run first evaluates the initial model as round 0.
 *
 * <p><b>Resuming.</b> With checkpoints configured, {@link #run()} first looks for the newest
 * checkpoint in the store. If there is one, its configuration fingerprint must match (else
 * {@link dev.fl4j.simulation.checkpoint.CheckpointMismatchException}); the run continues from its
 * state, cumulative bits and history, and {@linkplain Builder#optReplaySink replay sinks} receive
 * the recorded history again. Since every random draw of a round derives from the run seed and the
 * round, a run killed mid-way and started again ends with bitwise the same model as one that was
 * never interrupted — except a differentially private run, whose sampling and noise come from
 * {@link SecureRandom} and are not reproducible by design (see below). Clients' own state (the
 * residuals of an aggregation encoder with error feedback, kept in the runtime's
 * {@link dev.fl4j.core.runtime.ClientStateStore}) is saved with each checkpoint and restored with it; a fresh run starts with none, even on a reused runtime. A damaged
 * newest checkpoint stops the run with a {@link CheckpointException} instead of silently starting
 * over.
 *
 * <p>Metrics of a round: the process's metrics flattened ({@code client_work/train/loss} …), then
 * {@value #CLIENTS_SAMPLED}, {@value #CLIENTS_REPORTING}, the cumulative bits,
 * {@value #ROUND_SECONDS}, and evaluation metrics when evaluated. If every sampled client drops out,
 * the round leaves the state unchanged and has no process metrics.
 *
 * <p><b>Differentially private runs</b> ({@link Builder#optPrivacy}): the loop makes the run what
 * the DP aggregator's ε assumes and releases only what ε covers.
 * <ul>
 *   <li><em>Sampling.</em> Each client takes part independently with probability exactly the
 *       accountant's {@code q = clientsPerRound / population}, drawn (with drop-out) from
 *       {@link SecureRandom}, not from the run seed ({@link ClientSampler#poisson}). A round whose
 *       cohort is empty still runs: the aggregator releases noise over the expected cohort.</li>
 *   <li><em>Releases.</em> Of the process's metrics only the DP aggregator's {@code privacy/…}
 *       and {@code dp_query_metrics/…} are recorded; training metrics (summed from clients in the
 *       clear), {@value #CLIENTS_SAMPLED}, {@value #CLIENTS_REPORTING}, the bit counters and
 *       {@value #ROUND_SECONDS} (which all reveal the cohort) and the aggregator's other
 *       measurements (e.g. {@code zeroed_count}) are not, and {@link TrainingResult#communication()}
 *       is zero. {@link RoundListener#privacy} receives a statement of this
 *       ({@link #privacyStatement}). Evaluation metrics are still recorded: they come from held-out
 *       data, which ε does not protect. {@link RoundListener#roundStarted} still sees the cohort: it
 *       is the simulator's own view, for progress display, not a release.</li>
 *   <li><em>Resume.</em> The aggregator records each round in its {@link PrivacyLedgerFile} before
 *       the round's noised result exists, the run checkpoints every round, and the DP settings
 *       ({@code q}, noise multiplier, δ, budget) join the run configuration a resume must match. A
 *       round re-run after a crash is counted again, never forgotten. Because noise and sampling
 *       come from {@link SecureRandom}, a private run is <em>not</em> reproducible: a resumed run does
 *       not end with the model an uninterrupted one would have.</li>
 * </ul>
 * A process with a DP aggregator given without {@code optPrivacy} is refused when the loop is built.
 */
public final class TrainingLoop {

    private static final String BUDGET_FLAG = "privacy/next_round_within_budget";

    /** Cumulative bits the training process broadcast to clients. */
    public static final String BROADCASTED_BITS = "broadcasted_bits";
    /** Cumulative bits the training process aggregated from clients. */
    public static final String AGGREGATED_BITS = "aggregated_bits";
    /** Clients sampled in the round. */
    public static final String CLIENTS_SAMPLED = "clients_sampled";
    /** Sampled clients that did not drop out. */
    public static final String CLIENTS_REPORTING = "clients_reporting";
    /** Wall time of the round's training step in seconds. */
    public static final String ROUND_SECONDS = "round_seconds";

    private static final long CLIENT_SHUFFLE = Seeds.purpose("training/client_shuffle");

    private final Builder b;

    private TrainingLoop(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Runs (or resumes) the training and returns its outcome. */
    public TrainingResult run() {
        if (b.runtime != null) {
            return run(b.runtime);
        }
        try (LocalRuntime rt = LocalRuntime.builder().optWorkers(b.workers).build()) {
            return run(rt);
        }
    }

    /**
     * What a private run with {@code dp} assumes and releases, in one line for a run header, e.g.
     * {@code privacy: poisson sampling q=0.1, noise multiplier 0.5, delta 1.0E-5, …; not released: …}.
     */
    public static String privacyStatement(DifferentiallyPrivateFactory dp) {
        return PrivateRuns.statement(dp);
    }

    private TrainingResult run(FederatedRuntime runtime) {
        long started = System.nanoTime();
        LearningProcess process = b.process;
        DifferentiallyPrivateFactory dp = b.privacy;
        ClientSampler sampler = dp != null
                ? ClientSampler.poisson(b.trainData.clientIds(), dp.samplingRate(), b.dropoutRate, new SecureRandom())
                : new ClientSampler(b.trainData.clientIds(), b.clientsPerRound, b.dropoutRate, b.seed);
        RunConfig config = dp != null && b.config != null ? PrivateRuns.withSettings(b.config, dp) : b.config;
        if (dp != null) {
            b.listener.privacy(privacyStatement(dp));
        }
        Map<String, Integer> clientIndex = new HashMap<>();
        List<String> ids = b.trainData.clientIds();
        for (int i = 0; i < ids.size(); i++) {
            clientIndex.put(ids.get(i), i);
        }
        Type memberType = ((FederatedType) process.clientDataType()).member();

        Value state = null;
        int startRound = 0;
        long broadcastOffset = 0;
        long aggregatedOffset = 0;
        List<RoundRecord> history = new ArrayList<>();
        int resumedFrom = -1;
        Optional<Checkpoint> latest = b.checkpoints == null ? Optional.empty() : b.checkpoints.loadLatest(config);
        if (latest.isPresent()) {
            Checkpoint c = latest.get();
            if (dp != null && !((PrivacyLedgerFile) dp.ledger()).exists()) {
                throw new CheckpointException(((PrivacyLedgerFile) dp.ledger()).file(), "is missing, but this differentially private run has"
                        + " checkpoints: without the count of noised rounds it has spent, a resumed run could forget budget");
            }
            try {
                state = ServerStates.restore(c.state(), process.stateType());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(b.checkpoints.fileFor(c.round()), "its state does not fit this learning process: " + e.getMessage(), e);
            }
            try {
                runtime.clientStates().restore(c.clientStates());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(b.checkpoints.fileFor(c.round()), "its client states cannot be restored: " + e.getMessage(), e);
            }
            startRound = c.round();
            resumedFrom = c.round();
            broadcastOffset = c.broadcastedBits();
            aggregatedOffset = c.aggregatedBits();
            history.addAll(c.history());
            b.listener.resumed(c);
            for (MetricsSink s : b.sinks) {
                s.resumedAfter(c.round());
            }
            for (MetricsSink s : b.replaySinks) {
                for (RoundRecord r : c.history()) {
                    s.write(r.round(), r.metrics());
                }
                s.flush();
            }
        } else {
            runtime.clientStates().clear();
            state = process.initialize(runtime);
            if (b.evaluation != null) {
                Map<String, Double> m = new LinkedHashMap<>();
                if (dp == null) {
                    m.put(BROADCASTED_BITS, 0.0);
                    m.put(AGGREGATED_BITS, 0.0);
                }
                m.putAll(b.evaluation.evaluate(runtime, process.getModelWeights(state)));
                record(0, m, history);
            }
        }

        long trainedBroadcast = 0;
        long trainedAggregated = 0;
        int lastRound = Math.max(startRound, b.rounds);
        for (int round = startRound + 1; round <= b.rounds; round++) {
            Cohort cohort = sampler.sample(round);
            b.listener.roundStarted(cohort);
            Map<String, Double> m = new LinkedHashMap<>();
            long roundStart = System.nanoTime();
            if (!cohort.reporting().isEmpty() || dp != null) {
                final int r = round;
                ClientValues data = ClientValues.lazy(memberType, cohort.reporting(), id -> {
                    b.listener.clientLoaded(r, id);
                    long shuffleSeed = Seeds.derive(b.seed, CLIENT_SHUFFLE, r, clientIndex.get(id));
                    return b.preprocessing.forTraining(b.trainData.datasetFor(id), shuffleSeed);
                });
                CommunicationSnapshot before = runtime.communication().snapshot();
                LearningProcessOutput out;
                try {
                    out = process.next(runtime, state, data);
                } catch (IllegalStateException e) {
                    String budget = budgetExhausted(e);
                    if (budget == null) {
                        throw e;
                    }
                    b.listener.stoppedEarly(round - 1, budget);
                    lastRound = round - 1;
                    break;
                }
                if (round == startRound + 1) {
                    checkClientStateMemory(runtime);
                }
                CommunicationSnapshot used = runtime.communication().snapshot().minus(before);
                trainedBroadcast += used.broadcastBits();
                trainedAggregated += used.aggregatedBits();
                state = out.state();
                m.putAll(dp != null ? PrivateRuns.released(out.flatMetrics()) : out.flatMetrics());
            }
            if (dp != null) {
                trainedBroadcast = 0;
                trainedAggregated = 0;
            } else {
                m.put(CLIENTS_SAMPLED, (double) cohort.sampled().size());
                m.put(CLIENTS_REPORTING, (double) cohort.reporting().size());
                m.put(BROADCASTED_BITS, (double) (broadcastOffset + trainedBroadcast));
                m.put(AGGREGATED_BITS, (double) (aggregatedOffset + trainedAggregated));
                m.put(ROUND_SECONDS, (System.nanoTime() - roundStart) / 1e9);
            }
            String stop = round < b.rounds ? nextRoundOverBudget(m) : null;
            boolean last = round == b.rounds || stop != null;
            if (b.evaluation != null && (round % b.evaluateEvery == 0 || last)) {
                m.putAll(b.evaluation.evaluate(runtime, process.getModelWeights(state)));
            }
            record(round, m, history);
            if (b.checkpoints != null && (round % b.checkpointEvery == 0 || last)) {
                Checkpoint c = new Checkpoint(round, ServerStates.strip(state), broadcastOffset + trainedBroadcast,
                        aggregatedOffset + trainedAggregated, config, history, runtime.clientStates().snapshot());
                Path file = b.checkpoints.save(c);
                b.listener.checkpointSaved(round, file);
            }
            if (stop != null) {
                b.listener.stoppedEarly(round, stop);
                lastRound = round;
                break;
            }
        }
        int rounds = lastRound;
        return new TrainingResult(state, process.getModelWeights(state), rounds, resumedFrom,
                new CommunicationSnapshot(broadcastOffset + trainedBroadcast, aggregatedOffset + trainedAggregated), history,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * After the first round: if clients keep state (error feedback), every client ever sampled will
     * hold as much as those of this round do. Fails fast, with the figures, when that would not fit
     * the memory limit, rather than running out of memory hours later.
     */
    private void checkClientStateMemory(FederatedRuntime runtime) {
        int withState = runtime.clientStates().clients();
        if (withState == 0) {
            return;
        }
        double bytesPerClient = runtime.clientStates().sizeInBits() / 8.0 / withState;
        long clients = Math.min(b.trainData.clientIds().size(), (long) b.rounds * b.clientsPerRound);
        double needed = bytesPerClient * clients;
        if (needed > b.clientStateMemoryLimit) {
            throw new IllegalStateException("client state would outgrow memory: each client keeps " + BitFormat.formatBytes(bytesPerClient)
                    + " (e.g. an error-feedback residual), and up to " + clients + " clients (population " + b.trainData.clientIds().size()
                    + ", " + b.rounds + " rounds × " + b.clientsPerRound + " a round) need " + BitFormat.formatBytes(needed) + ", above the limit of "
                    + BitFormat.formatBytes(b.clientStateMemoryLimit) + "; raise the heap (FL4J_JAVA_OPTS=-Xmx…, the limit is 3/4 of it),"
                    + " train fewer clients, or use an encoder without state");
        }
    }


    /**
     * Why the run must stop before the next round, or null: a differentially private aggregator
     * reports (measurement {@code privacy/next_round_within_budget} = 0) that one more round would
     * take the privacy loss above its budget.
     */
    static String nextRoundOverBudget(Map<String, Double> metrics) {
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            if (e.getKey().endsWith(BUDGET_FLAG) && e.getValue() == 0.0) {
                String prefix = e.getKey().substring(0, e.getKey().length() - BUDGET_FLAG.length());
                Double eps = metrics.get(prefix + "privacy/epsilon");
                Double budget = metrics.get(prefix + "privacy/epsilon_budget");
                return "one more round would exceed the privacy budget (epsilon " + eps + " spent, budget " + budget + ")";
            }
        }
        return null;
    }

    /** The budget message if {@code e} (or a cause) is an aggregator's refusal to exceed its privacy budget. */
    private static String budgetExhausted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof dev.fl4j.aggregators.PrivacyBudgetExceededException) {
                return t.getMessage();
            }
        }
        return null;
    }

    private void record(int round, Map<String, Double> metrics, List<RoundRecord> history) {
        RoundRecord r = new RoundRecord(round, metrics);
        history.add(r);
        for (MetricsSink s : b.sinks) {
            s.write(round, r.metrics());
            s.flush();
        }
        b.listener.roundFinished(round, r.metrics());
    }

    /**
     * Configures a {@link TrainingLoop}: process, training data, clients per round, rounds and
     * preprocessing are required ({@code set…}); the rest is optional ({@code opt…}).
     */
    public static final class Builder {
        private LearningProcess process;
        private ClientData trainData;
        private int clientsPerRound;
        private int rounds = -1;
        private Preprocessing preprocessing;
        private long seed;
        private double dropoutRate;
        private ModelEvaluation evaluation;
        private int evaluateEvery = 1;
        private CheckpointStore checkpoints;
        private int checkpointEvery = 1;
        private RunConfig config;
        private DifferentiallyPrivateFactory privacy;
        private final List<MetricsSink> sinks = new ArrayList<>();
        private final List<MetricsSink> replaySinks = new ArrayList<>();
        private RoundListener listener = new RoundListener() {
        };
        private FederatedRuntime runtime;
        private int workers = Runtime.getRuntime().availableProcessors();
        private long clientStateMemoryLimit = Runtime.getRuntime().maxMemory() / 4 * 3;

        private Builder() {
        }

        public Builder setProcess(LearningProcess process) {
            this.process = process;
            return this;
        }

        /** The training population, unbatched (preprocessing batches it). */
        public Builder setTrainingData(ClientData data) {
            this.trainData = data;
            return this;
        }

        public Builder setClientsPerRound(int n) {
            this.clientsPerRound = n;
            return this;
        }

        /** Total rounds; a resumed run continues up to this round. */
        public Builder setRounds(int rounds) {
            this.rounds = rounds;
            return this;
        }

        public Builder setPreprocessing(Preprocessing preprocessing) {
            this.preprocessing = preprocessing;
            return this;
        }

        /** The run seed behind sampling, drop-out and shuffles (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Probability that a sampled client drops out before reporting (default 0). */
        public Builder optDropoutRate(double rate) {
            this.dropoutRate = rate;
            return this;
        }

        /** Evaluates every {@code everyRounds} rounds, after the last round, and the initial model. */
        public Builder optEvaluation(ModelEvaluation evaluation, int everyRounds) {
            if (everyRounds < 1) {
                throw new IllegalArgumentException("evaluation interval must be at least 1 round, got " + everyRounds);
            }
            this.evaluation = Objects.requireNonNull(evaluation, "evaluation");
            this.evaluateEvery = everyRounds;
            return this;
        }

        /**
         * Saves checkpoints to {@code store} every {@code everyRounds} rounds and after the last, and
         * resumes from its newest checkpoint if {@code config} matches.
         */
        public Builder optCheckpoints(CheckpointStore store, int everyRounds, RunConfig config) {
            if (everyRounds < 1) {
                throw new IllegalArgumentException("checkpoint interval must be at least 1 round, got " + everyRounds);
            }
            this.checkpoints = Objects.requireNonNull(store, "store");
            this.checkpointEvery = everyRounds;
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Makes this a differentially private run for {@code dp}, the DP aggregator inside the
         * process (see the class comment): Poisson sampling from {@link SecureRandom} at exactly
         * {@code dp.samplingRate()}, only what ε covers released, and with checkpoints every round
         * and {@code dp}'s ledger in the checkpoint directory ({@code dp.withLedger(PrivacyLedgerFile.in(store))}).
         * {@code dp} must have been built with the population of the training data
         * ({@link DifferentiallyPrivateFactory#withPopulation}) and this loop's clients per round.
         */
        public Builder optPrivacy(DifferentiallyPrivateFactory dp) {
            this.privacy = Objects.requireNonNull(dp, "dp");
            return this;
        }

        /** A sink for every round's metrics (not closed by the loop). */
        public Builder optSink(MetricsSink sink) {
            sinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /**
         * A sink that, on resume, first receives the history recorded in the checkpoint: for sinks
         * that rebuild their output from what they were given (CSV tables, plots). Also receives
         * every new round like {@link #optSink}.
         */
        public Builder optReplaySink(MetricsSink sink) {
            optSink(sink);
            replaySinks.add(sink);
            return this;
        }

        public Builder optListener(RoundListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Runs on {@code runtime} (not closed by the loop) instead of a new local runtime. */
        public Builder optRuntime(FederatedRuntime runtime) {
            this.runtime = runtime;
            return this;
        }

        /**
         * Bytes the clients' state may take at most (default: 3/4 of the heap); checked after the
         * first round against what every client that may be sampled would keep.
         */
        public Builder optClientStateMemoryLimit(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("client state memory limit must be positive, got " + bytes);
            }
            this.clientStateMemoryLimit = bytes;
            return this;
        }

        /** Workers of the local runtime the loop makes when none is given (default: cores). */
        public Builder optWorkers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        public TrainingLoop build() {
            Objects.requireNonNull(process, "process: call setProcess");
            Objects.requireNonNull(trainData, "training data: call setTrainingData");
            Objects.requireNonNull(preprocessing, "preprocessing: call setPreprocessing");
            if (rounds < 0) {
                throw new IllegalArgumentException(rounds == -1 ? "rounds: call setRounds" : "rounds must not be negative, got " + rounds);
            }
            new ClientSampler(trainData.clientIds(), clientsPerRound, dropoutRate, seed);
            if (privacy == null) {
                if (PrivateRuns.hasPrivacyMeasurements(process.nextComputation().type().result())) {
                    throw new IllegalArgumentException("the process has a differentially private aggregator (it reports privacy/epsilon): give that"
                            + " factory to optPrivacy, so that clients are Poisson-sampled at its rate from SecureRandom and only what epsilon"
                            + " covers is released");
                }
            } else {
                PrivateRuns.check(privacy, trainData.clientIds().size(), clientsPerRound, checkpoints, checkpointEvery);
            }
            return new TrainingLoop(this);
        }
    }
}
