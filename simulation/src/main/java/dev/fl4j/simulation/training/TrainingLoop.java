package dev.fl4j.simulation.training;

import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.aggregators.PrivacyBudgetExceededException;
import dev.fl4j.aggregators.PrivacyBudgetExhausted;
import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.CommunicationSnapshot;
import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.LocalRuntime;
import dev.fl4j.core.runtime.PortableClientLoader;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.learning.templates.LearningProcessOutput;
import dev.fl4j.simulation.checkpoint.Checkpoint;
import dev.fl4j.simulation.checkpoint.CheckpointException;
import dev.fl4j.simulation.checkpoint.CheckpointFile;
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
 *       by run seed, round and client; batch) on the worker that trains it; when the training data's
 *       loader is a {@link PortableClientLoader} (Parquet files indexed by
 *       {@link dev.fl4j.simulation.tables.TableFormat#openClients}) and the preprocessing
 *       {@linkplain Preprocessing#isSerializable can travel}, in the JVM where the client trains (a Spark
 *       executor), never in this one;</li>
 *   <li>runs {@code next} on the runtime and adds what it broadcast and aggregated to the cumulative
 *       {@value #BROADCASTED_BITS} and {@value #AGGREGATED_BITS} (and their sum, {@value #TOTAL_BITS});</li>
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
 * {@link dev.fl4j.core.runtime.ClientStateStore}) is saved with each checkpoint and restored with it; a fresh run
 * starts with none, even on a reused runtime. A damaged
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
 *   <li><em>Budget.</em> With an ε budget, the run stops after the last round the budget allows,
 *       which is evaluated and checkpointed as the last, and {@link RoundListener#stoppedEarly}
 *       gets the reason. The loop learns this from the aggregator's typed signal
 *       ({@link DifferentiallyPrivateFactory#exhaustedAfter} for the noised rounds spent, counted by
 *       {@code NoisedRounds}), never from metric names: a metric that merely looks like the
 *       aggregator's {@code privacy/next_round_within_budget} stops nothing. A round the aggregator
 *       refuses anyway ({@link dev.fl4j.aggregators.PrivacyBudgetExceededException}, e.g. given a
 *       different factory than {@code optPrivacy}'s) ends the run after the round before it.</li>
 * </ul>
 * A process with a DP aggregator given without {@code optPrivacy} is refused when the loop is built.
 */
public final class TrainingLoop {

    /** Cumulative bits the training process broadcast to clients. */
    public static final String BROADCASTED_BITS = "broadcasted_bits";
    /** Cumulative bits the training process aggregated from clients. */
    public static final String AGGREGATED_BITS = "aggregated_bits";
    /**
     * Cumulative bits of both directions, {@value #BROADCASTED_BITS} plus {@value #AGGREGATED_BITS}:
     * what a round costs a user who pays for both.
     */
    public static final String TOTAL_BITS = "total_bits";
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

    /**
     * The seed that orders the shuffle of client {@code clientIndex}'s examples (its index in the
     * population) in {@code round} of a run with {@code seed}: what {@link Preprocessing#forTraining}
     * gets, here and on a deployed client that prepares its own data.
     */
    public static long clientShuffleSeed(long seed, int round, int clientIndex) {
        return Seeds.derive(seed, CLIENT_SHUFFLE, round, clientIndex);
    }

    private TrainingResult run(FederatedRuntime runtime) {
        return new Run(runtime).execute();
    }

    /**
     * One call of {@link #run()}: what carries from round to round (state, history, bit counters),
     * and the steps of a run, in order: {@link #resumeOrStart}, then per round {@link #sampleCohort},
     * {@link #trainRound}, {@link #addRoundCounters}, {@link #budgetStop}, {@link #evaluateIfDue},
     * {@link TrainingLoop#record}, {@link #checkpointIfDue}.
     */
    private final class Run {
        private final long started = System.nanoTime();
        private final FederatedRuntime runtime;
        private final LearningProcess process = b.process;
        private final DifferentiallyPrivateFactory dp = b.privacy;
        /** The DP aggregator's spent rounds, null unless the run is private. */
        private final NoisedRounds noisedRounds;

        private final ClientSampler sampler;
        private final RunConfig config;
        private final Map<String, Integer> clientIndex = new HashMap<>();
        private final Type memberType;
        private final List<RoundRecord> history = new ArrayList<>();

        private Value state;
        private int startRound;
        private int resumedFrom = -1;
        private int lastRound;
        private long broadcastOffset;
        private long aggregatedOffset;
        private long trainedBroadcast;
        private long trainedAggregated;

        Run(FederatedRuntime runtime) {
            this.runtime = runtime;
            this.noisedRounds = dp == null ? null : new NoisedRounds(dp);
            this.sampler = dp != null
                    ? ClientSampler.poisson(
                            b.trainData.clientIds(), dp.samplingRate(), b.dropoutRate, new SecureRandom())
                    : new ClientSampler(b.trainData.clientIds(), b.clientsPerRound, b.dropoutRate, b.seed);
            this.config = dp != null && b.config != null ? PrivateRuns.withSettings(b.config, dp) : b.config;
            List<String> ids = b.trainData.clientIds();
            for (int i = 0; i < ids.size(); i++) {
                clientIndex.put(ids.get(i), i);
            }
            this.memberType = ((FederatedType) process.clientDataType()).member();
        }

        TrainingResult execute() {
            if (dp != null) {
                b.listener.privacy(privacyStatement(dp));
            }
            resumeOrStart();
            trainRounds();
            return new TrainingResult(
                    state,
                    process.getModelWeights(state),
                    lastRound,
                    resumedFrom,
                    new CommunicationSnapshot(broadcastOffset + trainedBroadcast, aggregatedOffset + trainedAggregated),
                    history,
                    Duration.ofNanos(System.nanoTime() - started));
        }

        /** Continues from the store's newest checkpoint if there is one, else starts afresh. */
        private void resumeOrStart() {
            Optional<CheckpointFile> latest =
                    b.checkpoints == null ? Optional.empty() : b.checkpoints.openLatest(config);
            if (latest.isPresent()) {
                resume(latest.get());
            } else {
                start();
            }
        }

        /**
         * Continues from {@code file}: its state, counters and history, and its client states handed to the
         * runtime one entry at a time (a runtime that keeps them on a cluster sends them on in pieces).
         */
        private void resume(CheckpointFile file) {
            Checkpoint c = file.checkpoint();
            if (dp != null && !((PrivacyLedgerFile) dp.ledger()).exists()) {
                throw new CheckpointException(
                        ((PrivacyLedgerFile) dp.ledger()).file(),
                        "is missing, but this differentially private run has"
                                + " checkpoints: without the count of noised rounds it has spent, a resumed run "
                                + "could forget budget");
            }
            try {
                state = ServerStates.restore(c.state(), process.stateType());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(
                        b.checkpoints.fileFor(c.round()),
                        "its state does not fit this learning process: " + e.getMessage(),
                        e);
            }
            try {
                runtime.clientStates().restore(file.clientStates());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(
                        b.checkpoints.fileFor(c.round()), "its client states cannot be restored: " + e.getMessage(), e);
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
            replayHistory(c);
        }

        /** Gives the replay sinks the history recorded in {@code c}. */
        private void replayHistory(Checkpoint c) {
            for (MetricsSink s : b.replaySinks) {
                for (RoundRecord r : c.history()) {
                    s.write(r.round(), r.metrics());
                }
                s.flush();
            }
        }

        /**
         * A fresh run: no client state, the process's initial state, and with evaluation configured the initial model
         * evaluated as round 0.
         */
        private void start() {
            runtime.clientStates().clear();
            state = process.initialize(runtime);
            if (b.evaluation != null) {
                Map<String, Double> m = new LinkedHashMap<>();
                if (dp == null) {
                    m.put(BROADCASTED_BITS, 0.0);
                    m.put(AGGREGATED_BITS, 0.0);
                    m.put(TOTAL_BITS, 0.0);
                }
                m.putAll(b.evaluation.evaluate(runtime, process.getModelWeights(state)));
                record(0, m, history);
            }
        }

        private void trainRounds() {
            lastRound = Math.max(startRound, b.rounds);
            for (int round = startRound + 1; round <= b.rounds; round++) {
                Cohort cohort = sampleCohort(round);
                Map<String, Double> m = new LinkedHashMap<>();
                long roundStart = System.nanoTime();
                Optional<PrivacyBudgetExceededException> refused = trainRound(round, cohort, m);
                if (refused.isPresent()) {
                    stopEarly(round - 1, refused.get().getMessage());
                    return;
                }
                addRoundCounters(m, cohort, roundStart);
                Optional<PrivacyBudgetExhausted> stop = round < b.rounds ? budgetStop() : Optional.empty();
                boolean last = round == b.rounds || stop.isPresent();
                evaluateIfDue(round, last, m);
                record(round, m, history);
                checkpointIfDue(round, last);
                if (stop.isPresent()) {
                    stopEarly(round, stop.get().reason());
                    return;
                }
            }
        }

        /** The round's cohort, announced to the listener. */
        private Cohort sampleCohort(int round) {
            Cohort cohort = sampler.sample(round);
            b.listener.roundStarted(cohort);
            return cohort;
        }

        /**
         * Runs {@code next} over the cohort's reporting clients (in a private run also over none),
         * advancing the state and the bits trained, and puts the process metrics the run releases
         * into {@code m}. Returns the DP aggregator's refusal if it would not run the round for its
         * budget; the state is then unchanged.
         */
        private Optional<PrivacyBudgetExceededException> trainRound(int round, Cohort cohort, Map<String, Double> m) {
            if (cohort.reporting().isEmpty() && dp == null) {
                return Optional.empty();
            }
            ClientValues data = trainingData(round, cohort.reporting());
            CommunicationSnapshot before = runtime.communication().snapshot();
            LearningProcessOutput out;
            try {
                out = process.next(runtime, state, data);
            } catch (IllegalStateException e) {
                Optional<PrivacyBudgetExceededException> refusal = budgetRefusal(e);
                if (refusal.isEmpty()) {
                    throw e;
                }
                return refusal;
            }
            if (noisedRounds != null) {
                noisedRounds.released();
            }
            if (round == startRound + 1) {
                checkClientStateMemory(runtime);
            }
            CommunicationSnapshot used = runtime.communication().snapshot().minus(before);
            trainedBroadcast += used.broadcastBits();
            trainedAggregated += used.aggregatedBits();
            state = out.state();
            m.putAll(dp != null ? PrivateRuns.released(out.flatMetrics()) : out.flatMetrics());
            return Optional.empty();
        }

        /**
         * The round's training data of {@code ids}, loaded and preprocessed where each client trains when the
         * population's loader is a {@link PortableClientLoader} and the preprocessing can travel, else on this JVM's
         * workers.
         */
        private ClientValues trainingData(int round, List<String> ids) {
            if (b.preprocessing.isSerializable()
                    && b.trainData.clientValues(ids).loader().orElse(null) instanceof PortableClientLoader population) {
                return ClientValues.lazy(
                        memberType,
                        ids,
                        new PortableTrainingLoader(
                                population,
                                b.preprocessing,
                                clientIndex,
                                index -> clientShuffleSeed(b.seed, round, index),
                                id -> b.listener.clientLoaded(round, id)));
            }
            return ClientValues.lazy(memberType, ids, id -> {
                b.listener.clientLoaded(round, id);
                long shuffleSeed = clientShuffleSeed(b.seed, round, clientIndex.get(id));
                return b.preprocessing.forTraining(b.trainData.datasetFor(id), shuffleSeed);
            });
        }

        /**
         * Cohort sizes, cumulative bits and round time; none of them in a private run, whose bits stay zero (they
         * reveal the cohort).
         */
        private void addRoundCounters(Map<String, Double> m, Cohort cohort, long roundStart) {
            if (dp != null) {
                trainedBroadcast = 0;
                trainedAggregated = 0;
            } else {
                m.put(CLIENTS_SAMPLED, (double) cohort.sampled().size());
                m.put(CLIENTS_REPORTING, (double) cohort.reporting().size());
                m.put(BROADCASTED_BITS, (double) (broadcastOffset + trainedBroadcast));
                m.put(AGGREGATED_BITS, (double) (aggregatedOffset + trainedAggregated));
                m.put(TOTAL_BITS, (double) (broadcastOffset + trainedBroadcast + aggregatedOffset + trainedAggregated));
                m.put(ROUND_SECONDS, (System.nanoTime() - roundStart) / 1e9);
            }
        }

        /**
         * Whether the run must stop after this round: in a private run, the DP aggregator's typed
         * answer ({@link DifferentiallyPrivateFactory#exhaustedAfter}) for the rounds it has spent.
         * Metric names play no part.
         */
        private Optional<PrivacyBudgetExhausted> budgetStop() {
            return noisedRounds == null ? Optional.empty() : noisedRounds.nextRoundExhausted();
        }

        private void evaluateIfDue(int round, boolean last, Map<String, Double> m) {
            if (b.evaluation != null && (round % b.evaluateEvery == 0 || last)) {
                m.putAll(b.evaluation.evaluate(runtime, process.getModelWeights(state)));
            }
        }

        private void checkpointIfDue(int round, boolean last) {
            if (b.checkpoints != null && (round % b.checkpointEvery == 0 || last)) {
                Checkpoint c = new Checkpoint(
                        round,
                        ServerStates.strip(state),
                        broadcastOffset + trainedBroadcast,
                        aggregatedOffset + trainedAggregated,
                        config,
                        history);
                Path file = b.checkpoints.save(c, runtime.clientStates());
                b.listener.checkpointSaved(round, file);
            }
        }

        private void stopEarly(int afterRound, String reason) {
            b.listener.stoppedEarly(afterRound, reason);
            lastRound = afterRound;
        }
    }

    /**
     * After the first round: if clients keep state (error feedback), every client ever sampled will
     * hold as much as those of this round do. Fails fast, with the figures, when that would not fit
     * the memory limit, rather than running out of memory hours later.
     */
    private void checkClientStateMemory(FederatedRuntime runtime) {
        // only what this JVM holds: a runtime that keeps client state on a cluster (Spark) holds it there
        int withState = runtime.clientStates().clientsHere();
        if (withState == 0) {
            return;
        }
        double bytesPerClient = runtime.clientStates().sizeInBitsHere() / 8.0 / withState;
        long clients = Math.min(b.trainData.clientIds().size(), (long) b.rounds * b.clientsPerRound);
        double needed = bytesPerClient * clients;
        if (needed > b.clientStateMemoryLimit) {
            throw new IllegalStateException(
                    "client state would outgrow memory: each client keeps " + BitFormat.formatBytes(bytesPerClient)
                            + " (e.g. an error-feedback residual), and up to " + clients + " clients (population "
                            + b.trainData.clientIds().size()
                            + ", " + b.rounds + " rounds × " + b.clientsPerRound + " a round) need "
                            + BitFormat.formatBytes(needed) + ", above the limit of "
                            + BitFormat.formatBytes(b.clientStateMemoryLimit)
                            + "; raise the heap (FL4J_JAVA_OPTS=-Xmx…, the limit is 3/4 of it),"
                            + " train fewer clients, or use an encoder without state");
        }
    }

    /** The aggregator's refusal to exceed its privacy budget, if {@code e} is (or was caused by) one. */
    private static Optional<PrivacyBudgetExceededException> budgetRefusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PrivacyBudgetExceededException refusal) {
                return Optional.of(refusal);
            }
        }
        return Optional.empty();
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
        private RoundListener listener = new RoundListener() {};
        private FederatedRuntime runtime;
        private int workers = Runtime.getRuntime().availableProcessors();
        private long clientStateMemoryLimit = Runtime.getRuntime().maxMemory() / 4 * 3;

        private Builder() {}

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
         * and {@code dp}'s ledger in the checkpoint directory
         * ({@code dp.toBuilder().optLedger(PrivacyLedgerFile.in(store)).build()}).
         * {@code dp} must have been built with the population of the training data
         * ({@link DifferentiallyPrivateFactory.Builder#optPopulation}) and this loop's clients per round.
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
         * Bytes the clients' state may take at most in this JVM (default: 3/4 of the heap); checked
         * after the first round against what every client that may be sampled would keep here (state
         * a runtime keeps on a cluster, as the Spark runtime does, is not in this heap).
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
                throw new IllegalArgumentException(
                        rounds == -1 ? "rounds: call setRounds" : "rounds must not be negative, got " + rounds);
            }
            new ClientSampler(trainData.clientIds(), clientsPerRound, dropoutRate, seed);
            if (privacy == null) {
                if (PrivateRuns.hasPrivacyMeasurements(
                        process.nextComputation().type().result())) {
                    throw new IllegalArgumentException(
                            "the process has a differentially private aggregator (it reports privacy/epsilon): give "
                                    + "that"
                                    + " factory to optPrivacy, so that clients are Poisson-sampled at its rate from "
                                    + "SecureRandom and only what epsilon"
                                    + " covers is released");
                }
            } else {
                PrivateRuns.check(privacy, trainData.clientIds().size(), clientsPerRound, checkpoints, checkpointEvery);
            }
            return new TrainingLoop(this);
        }
    }
}
