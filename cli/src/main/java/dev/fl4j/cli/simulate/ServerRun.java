package dev.fl4j.cli.simulate;

import dev.fl4j.aggregators.AggregationFactory;
import dev.fl4j.aggregators.DifferentiallyPrivateFactory;
import dev.fl4j.cli.spec.AggregatorSpec;
import dev.fl4j.cli.spec.AlgorithmChoice;
import dev.fl4j.cli.spec.ModelChoice;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.runtime.SecureSumProtocol;
import dev.fl4j.deploy.security.AuthorizedKeys;
import dev.fl4j.deploy.server.DeployResult;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.templates.LearningProcess;
import dev.fl4j.secagg.SecAggPlus;
import dev.fl4j.simulation.checkpoint.Checkpoint;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.checkpoint.PrivacyLedgerFile;
import dev.fl4j.simulation.checkpoint.RoundRecord;
import dev.fl4j.simulation.checkpoint.RunConfig;
import dev.fl4j.simulation.metrics.MetricsSink;
import dev.fl4j.simulation.provenance.Provenance;
import dev.fl4j.simulation.training.Cohort;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.Preprocessing;
import dev.fl4j.simulation.training.RoundListener;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * {@code fl4j server}: the learning process of {@code fl4j simulate}'s options (model, algorithm,
 * aggregator, broadcast, evaluation on the server-held test set, sinks), built by the same code, run
 * by a {@link DeployServer} over remote clients instead of simulated ones.
 */
public final class ServerRun {

    /**
     * What only a server is told: where to listen, the cohort's floor, the deadline, transport and state, how
     * long a pull is held ({@code pollTimeout}) and the service threads ({@code serviceThreads}, 0: the default).
     */
    public record Options(
            String host,
            int port,
            int minClients,
            int minPopulation,
            Duration roundTimeout,
            double overSelection,
            long resultBufferBytes,
            boolean insecure,
            Path tlsCert,
            Path tlsKey,
            Path authorizedKeys,
            Duration pollTimeout,
            int serviceThreads) {}

    /**
     * The server's SQLite database (registered clients, round attempts, participation), kept in
     * {@code --checkpoint-dir} next to the run's checkpoints.
     */
    public static final String STATE_DATABASE = "server.db";

    private ServerRun() {}

    /** Every option the server was started with, resolved as simulate resolves its own, for provenance. */
    private static SortedMap<String, String> options(
            SimulationSettings s, Options o, String partition, int population, ModelChoice model, float serverLr) {
        SortedMap<String, String> options = s.options();
        options.put("command", "server");
        if (partition != null) {
            options.put("partition", partition);
        }
        options.put("clients", String.valueOf(population));
        options.put("model", model.name());
        if (ModelChoice.isFile(model.name())) {
            options.put("model-spec-sha256", model.specSha256());
        }
        options.put("server-lr", String.valueOf(serverLr));
        options.put("host", o.host());
        options.put("port", String.valueOf(o.port()));
        options.put("min-clients", String.valueOf(o.minClients() > 0 ? o.minClients() : s.clientsPerRound()));
        options.put("min-population", String.valueOf(o.minPopulation()));
        options.put("round-timeout", o.roundTimeout().toString());
        options.put("over-selection", String.valueOf(o.overSelection()));
        if (o.resultBufferBytes() != Long.MAX_VALUE) {
            options.put("result-buffer-bytes", String.valueOf(o.resultBufferBytes()));
        }
        options.put("poll-timeout", o.pollTimeout().toString());
        if (o.serviceThreads() > 0) {
            options.put("service-threads", String.valueOf(o.serviceThreads()));
        }
        options.put("insecure", String.valueOf(o.insecure()));
        if (o.tlsCert() != null) {
            options.put("tls-cert", o.tlsCert().toString());
        }
        if (o.tlsKey() != null) {
            options.put("tls-key", o.tlsKey().toString());
        }
        if (o.authorizedKeys() != null) {
            options.put("authorized-keys", o.authorizedKeys().toString());
        }
        return options;
    }

    /** Runs the server until the last round; prints {@code listening on HOST:PORT} and one line per round. */
    public static DeployResult run(SimulationSettings s, Options o, PrintWriter out, PrintWriter err) throws Exception {
        s.validate();
        if (s.aggregators().size() != 1) {
            throw new UsageException("--aggregator: a server runs one aggregator, got " + s.aggregators());
        }
        Optional<SecureSumProtocol> secureSum = SecureAggregationSpec.parse(s.secureAggregation());
        if (secureSum.isPresent() && o.overSelection() > 0) {
            throw new UsageException("--over-selection " + o.overSelection() + " and --secure-aggregation "
                    + s.secureAggregation()
                    + " conflict: an over-selected round reuses results kept from its collecting"
                    + " attempt, whose secure-sum inputs were masked in another session; choose one");
        }
        if (s.secaggDropouts() != null) {
            throw new UsageException("--secagg-dropouts simulates SecAgg+ dropouts in one JVM; a server's clients drop"
                    + " out by themselves");
        }
        if (s.dropout() != 0) {
            throw new UsageException(
                    "--dropout simulates clients that drop out; a server's clients drop out by themselves");
        }
        if (o.insecure() && (o.tlsCert() != null || o.tlsKey() != null)) {
            throw new UsageException("--insecure and --tls-cert/--tls-key conflict: choose one");
        }
        if (!o.insecure() && (o.tlsCert() == null || o.tlsKey() == null || o.authorizedKeys() == null)) {
            throw new UsageException(
                    "the server needs --tls-cert, --tls-key (PEM) and --authorized-keys (see fl4j keys),"
                            + " or --insecure for plaintext on a loopback address");
        }
        if (o.insecure() && !DeployServer.isLoopback(o.host())) {
            throw new UsageException("--insecure is allowed only on a loopback address, not " + o.host());
        }
        boolean centralised = SimulationData.isCentralised(s.dataset(), s.table());
        boolean federatedFiles =
                !centralised && !SimulationData.name(s.dataset()).equals("synthetic");
        int clients = s.clients() != null ? s.clients() : federatedFiles ? 0 : Simulation.DEFAULT_CLIENTS;
        String partition = centralised ? (s.partition() != null ? s.partition() : "iid") : null;
        AlgorithmChoice algorithm = Simulation.algorithm(s);
        if (!s.personalization().isEmpty()) {
            throw new UsageException("--personalization is not supported by fl4j server: it evaluates on simulated"
                    + " test clients; use fl4j simulate");
        }
        if (algorithm.isKMeans()) {
            throw new UsageException("--algorithm " + algorithm.text() + ": fl4j server does not run federated"
                    + " k-means; use fl4j simulate");
        }
        float serverLr = Simulation.serverLr(s, algorithm);
        Simulation.Optimizers optimizers = Simulation.optimizers(s, algorithm, serverLr);
        StringBuilder summary = new StringBuilder();
        try (SimulationData data = SimulationData.load(
                s.dataset(), s.table(), partition, clients, s.examplesPerClient(), s.seed(), summary)) {
            ModelChoice model = Simulation.model(s, data);
            Preprocessing prep = Preprocessing.builder()
                    .setBatchSize(s.batch())
                    .optExamplesCap(s.examplesPerClient())
                    .optBatchMap(model.batchMap())
                    .build();
            ModelEvaluation evaluation = Simulation.evaluation(data, model, prep, s);
            String aggregatorSpec = s.aggregators().get(0);
            String name = Simulation.runName(aggregatorSpec, Set.of());
            AuthorizedKeys authorized = o.authorizedKeys() != null ? AuthorizedKeys.read(o.authorizedKeys()) : null;
            AggregationFactory factory =
                    Simulation.parseAggregator(aggregatorSpec, Simulation.aggregatorSettings(s, 0));
            Optional<DifferentiallyPrivateFactory> dp = DifferentiallyPrivateFactory.find(factory);
            CheckpointStore store = null;
            if (dp.isPresent()) {
                checkPrivate(s, o, aggregatorSpec, authorized);
                if (secureSum.isPresent()
                        && !(dp.get().recordAggregation() instanceof dev.fl4j.aggregators.SecureSumFactory)) {
                    throw new UsageException("--secure-aggregation " + s.secureAggregation()
                            + " with the differentially private --aggregator " + aggregatorSpec + ": its clipped"
                            + " updates are summed in the clear, so SecAgg+ would protect nothing; use"
                            + " dp-fixed:NOISE_MULTIPLIER:CLIP:secure, which sums them securely before the server"
                            + " adds the noise");
                }
                if (secureSum.isPresent() && !(factory instanceof DifferentiallyPrivateFactory)) {
                    throw new UsageException("--secure-aggregation " + s.secureAggregation() + " with --aggregator "
                            + aggregatorSpec + ": the stages before the DP core (zeroing, non-finite) send each"
                            + " client's norm or flags to the server in the clear, outside the secure sum; use"
                            + " dp-fixed:NOISE_MULTIPLIER:CLIP:secure alone");
                }
                AggregatorSpec.Settings settings = Simulation.aggregatorSettings(s, authorized.size());
                if (s.checkpointDir() != null) {
                    store = new CheckpointStore(s.checkpointDir().resolve(name));
                    settings = settings.withLedger(PrivacyLedgerFile.in(store));
                }
                factory = Simulation.parseAggregator(aggregatorSpec, settings);
                dp = DifferentiallyPrivateFactory.find(factory);
            }
            int population = data.train().clientIds().size();
            LearningProcess process = algorithm.build(
                    model.spec(),
                    factory,
                    Simulation.distributor(s, model),
                    optimizers.client(),
                    optimizers.server(),
                    s.epochs(),
                    s.seed(),
                    population,
                    Simulation.schedule("client-lr-schedule", s.clientLrSchedule(), s.clientLrOrDefault()),
                    Simulation.schedule("server-lr-schedule", s.serverLrSchedule(), serverLr),
                    Simulation.initialWeights(s, model, out));
            RunConfig config =
                    Simulation.runConfig(s, data, model, algorithm, serverLr, partition, clients, aggregatorSpec);
            Provenance provenance = Provenance.current(
                    options(s, o, partition, population, model, serverLr),
                    config,
                    s.seed(),
                    ModelEngines.defaultEngine().version());
            List<MetricsSink> sinks = new ArrayList<>();
            List<MetricsSink> replaySinks = new ArrayList<>();
            try {
                Simulation.openSinks(
                        s, name, false, provenance, new LinkedHashMap<>(), new LinkedHashMap<>(), (sink, replay) -> {
                            sinks.add(sink);
                            if (replay) {
                                replaySinks.add(sink);
                            }
                        });
                DeployServer.Builder b = DeployServer.builder()
                        .setProcess(process)
                        .setClientsPerRound(s.clientsPerRound())
                        .setRounds(s.rounds())
                        .setBatchSize(s.batch())
                        .optExamplesCap(s.examplesPerClient())
                        .optSeed(s.seed())
                        .optMinClients(o.minClients() > 0 ? o.minClients() : s.clientsPerRound())
                        .optMinPopulation(o.minPopulation())
                        .optRoundTimeout(o.roundTimeout())
                        .optOverSelection(o.overSelection())
                        .optResultBufferBytes(o.resultBufferBytes())
                        .optHost(o.host())
                        .optPort(o.port())
                        .optPollTimeout(o.pollTimeout())
                        .optListener(new Lines(out, name, sinks, replaySinks, dp.isPresent()));
                if (s.checkpointDir() != null) {
                    Files.createDirectories(s.checkpointDir());
                    b.optCheckpoints(
                            (store != null
                                            ? store
                                            : new CheckpointStore(
                                                    s.checkpointDir().resolve(name)))
                                    .withProvenance(provenance),
                            s.checkpointEvery(),
                            config);
                    b.optStore(s.checkpointDir().resolve(STATE_DATABASE));
                }
                if (o.serviceThreads() > 0) {
                    b.optServiceThreads(o.serviceThreads());
                }
                if (authorized != null) {
                    b.optAuthorizedKeys(authorized);
                }
                dp.ifPresent(b::optPrivacy);
                if (o.insecure()) {
                    b.optInsecure(true);
                    err.println("fl4j server: WARNING: plaintext (--insecure): no TLS"
                            + (o.authorizedKeys() == null ? ", and clients are not authenticated" : "")
                            + "; for loopback tests only");
                    err.flush();
                } else {
                    b.optTls(o.tlsCert(), o.tlsKey());
                }
                if (evaluation != null) {
                    b.optEvaluation(evaluation, s.evalEvery());
                }
                if (secureSum.isPresent()) {
                    // SecAgg+ with the deployed clients: they encode and mask their own inputs
                    b.optSecureAggregation((SecAggPlus) secureSum.get());
                    out.println("secure aggregation: " + s.secureAggregation()
                            + " with the clients over the network (each stage waits up to the round timeout)");
                }
                try (DeployServer server = b.build().start()) {
                    InetSocketAddress a = server.address();
                    out.print(summary);
                    if (dp.isPresent()) {
                        out.printf(
                                Locale.ROOT,
                                "model %s (%,d parameters), algorithm %s, each of the %d authorized clients sampled"
                                        + " with probability q=%s a round (%d expected), round timeout %ds%n",
                                model.name(),
                                model.spec().countParams(),
                                Simulation.describe(s, algorithm, serverLr),
                                authorized.size(),
                                dp.get().samplingRate(),
                                s.clientsPerRound(),
                                o.roundTimeout().toSeconds());
                    } else {
                        out.printf(
                                Locale.ROOT,
                                "model %s (%,d parameters), algorithm %s, %d clients per round%s (at least %d),"
                                        + " round timeout %ds%n",
                                model.name(),
                                model.spec().countParams(),
                                Simulation.describe(s, algorithm, serverLr),
                                s.clientsPerRound(),
                                o.overSelection() > 0
                                        ? String.format(
                                                Locale.ROOT,
                                                " of %d selected (over-selection %s)",
                                                server.selectedPerRound(),
                                                o.overSelection())
                                        : "",
                                o.minClients() > 0 ? o.minClients() : s.clientsPerRound(),
                                o.roundTimeout().toSeconds());
                    }
                    out.printf(
                            Locale.ROOT,
                            "pulls held up to %ss, %d service threads%n",
                            BigDecimal.valueOf(server.pollTimeout().toMillis(), 3)
                                    .stripTrailingZeros()
                                    .toPlainString(),
                            server.serviceThreads());
                    out.println("listening on " + a.getHostString() + ":" + a.getPort());
                    out.flush();
                    DeployResult r = server.run();
                    if (s.export() != null) {
                        Simulation.exportModel(model, r.weights(), provenance, s.export());
                        out.println("model: " + s.export()
                                + " (TensorFlow SavedModel; fl4j evaluate --model DIR, fl4j predict --model DIR)");
                    }
                    if (dp.isPresent()) {
                        out.printf(
                                Locale.ROOT,
                                "finished %d rounds; rejected messages: not released (they would reveal the cohort)%n",
                                r.rounds());
                    } else {
                        out.printf(
                                Locale.ROOT,
                                "finished %d rounds; rejected messages: %s%n",
                                r.rounds(),
                                server.rejections().isEmpty() ? "none" : server.rejections());
                    }
                    Simulation.printOutputs(out, s, Set.of(name));
                    if (s.checkpointDir() != null) {
                        out.println("server state: " + s.checkpointDir().resolve(STATE_DATABASE));
                    }
                    out.flush();
                    return r;
                }
            } finally {
                for (MetricsSink sink : sinks) {
                    sink.close();
                }
            }
        }
    }

    /**
     * Refuses what a differentially private server run cannot be: one without a fixed population (the
     * authorized keys), over-selected, checkpointed less often than every round, or expecting more clients
     * a round than there are.
     */
    private static void checkPrivate(SimulationSettings s, Options o, String spec, AuthorizedKeys authorized) {
        if (authorized == null) {
            throw new UsageException("--aggregator " + spec + ": differentially private aggregation on fl4j server"
                    + " needs --authorized-keys: each round samples every authorized client independently with"
                    + " probability q = clients-per-round / their number (Poisson sampling, as simulate), so the"
                    + " population must be known and fixed");
        }
        if (o.overSelection() > 0) {
            throw new UsageException("--over-selection " + o.overSelection() + " and the differentially private"
                    + " --aggregator " + spec + " conflict: over-selection keeps the first results of more clients"
                    + " than a round needs, so the cohort would be neither Poisson-sampled nor at the rate q the"
                    + " accountant assumes");
        }
        if (s.clientsPerRound() > authorized.size()) {
            throw new UsageException("--clients-per-round " + s.clientsPerRound() + " is more than the "
                    + authorized.size() + " authorized clients; a private run samples each with probability"
                    + " clients-per-round / " + authorized.size());
        }
        if (s.checkpointDir() != null && s.checkpointEvery() != 1) {
            throw new UsageException("--checkpoint-every " + s.checkpointEvery() + ": a differentially private run ("
                    + spec + ") checkpoints every round, so that a resumed run repeats as few noised rounds as"
                    + " possible");
        }
    }

    /**
     * Prints simulate's round lines with {@code clients=REPORTED/SELECTED} (a private run's metrics hold
     * no cohort counts, so its lines have none) and feeds the sinks; prints a private run's statement; on a
     * resume, says so, tells the sinks, and gives the replay sinks (CSV, chart) the recorded history.
     */
    private record Lines(
            PrintWriter out, String name, List<MetricsSink> sinks, List<MetricsSink> replaySinks, boolean isPrivate)
            implements RoundListener {
        @Override
        public void privacy(String statement) {
            out.printf(Locale.ROOT, "[%s] %s%n", name, statement);
            out.flush();
        }

        @Override
        public void stoppedEarly(int round, String reason) {
            out.printf(Locale.ROOT, "[%s] stopped after round %d: %s%n", name, round, reason);
            out.flush();
        }

        @Override
        public void resumed(Checkpoint c) {
            if (isPrivate) {
                out.printf(Locale.ROOT, "[%s] resuming after round %d from its checkpoint%n", name, c.round());
            } else {
                out.printf(
                        Locale.ROOT,
                        "[%s] resuming after round %d from its checkpoint (broadcasted_bits=%s, aggregated_bits=%s)%n",
                        name,
                        c.round(),
                        BitFormat.format(c.broadcastedBits()),
                        BitFormat.format(c.aggregatedBits()));
            }
            out.flush();
            for (MetricsSink sink : sinks) {
                sink.resumedAfter(c.round());
            }
            for (MetricsSink sink : replaySinks) {
                for (RoundRecord r : c.history()) {
                    sink.write(r.round(), r.metrics());
                }
                sink.flush();
            }
        }

        @Override
        public void roundStarted(Cohort cohort) {}

        @Override
        public void roundFinished(int round, Map<String, Double> metrics) {
            out.println(RoundPrinter.line(round, metrics, round > 0));
            out.flush();
            for (MetricsSink sink : sinks) {
                sink.write(round, metrics);
                sink.flush();
            }
        }
    }
}
