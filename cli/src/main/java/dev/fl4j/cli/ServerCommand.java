package dev.fl4j.cli;

import dev.fl4j.cli.simulate.ServerRun;
import dev.fl4j.cli.simulate.UsageException;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.checkpoint.CheckpointException;
import dev.fl4j.simulation.datasets.DatasetFileException;
import dev.fl4j.simulation.datasets.DatasetNotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fl4j server}: runs a learning process for remote clients. It takes {@code fl4j simulate}'s
 * options (inherited: the same fields and the same code build the process, evaluation and sinks)
 * plus where to listen, the round's floor and deadline, and TLS.
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run federated training for remote clients that hold their own data (fl4j client), over gRPC.",
            "Takes simulate's options for the model, algorithm, aggregator, broadcast, evaluation (on the server's",
            "test set), sinks and chart (--tensorboard, --csv, --jsonl, --plot) and checkpoints (--checkpoint-dir also",
            "holds the server's SQLite state, server.db; started again with the same settings, the server resumes",
            "the run and its clients reconnect); prints 'listening on HOST:PORT', then one line per round with",
            "clients=REPORTED/SELECTED. With a differentially private --aggregator (needs --authorized-keys), each",
            "authorized client is sampled every round with probability clients-per-round / their number (from",
            "SecureRandom), a round is released with whoever reported, and the lines show epsilon, not the cohort."
        },
        footer = {
            "",
            "Example (keys from 'fl4j keys --out keys --clients 3'):",
            "  fl4j server --port 7000 --tls-cert keys/server.pem --tls-key keys/server.key \\",
            "    --authorized-keys keys/authorized_keys \\",
            "    --dataset synthetic --clients 3 --clients-per-round 3 --min-population 3 --rounds 5"
        })
final class ServerCommand extends SimulateCommand {

    @Option(
            names = "--host",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description = "Address to bind. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "0",
            description = "Port to listen on (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--min-clients",
            paramLabel = "N",
            description = "A round completes with at least N reporting clients; below that it is abandoned and sampled"
                    + " again. With a differentially private --aggregator a round is never abandoned or sampled"
                    + " again (it is released however few report): N only lets a round start after one round"
                    + " timeout with N live clients. Default: --clients-per-round.")
    Integer minClients;

    @Option(
            names = "--min-population",
            paramLabel = "N",
            defaultValue = "0",
            description = "Wait for N live clients before the first round (0: --clients-per-round)."
                    + " Default: ${DEFAULT-VALUE}.")
    int minPopulation;

    @Option(
            names = "--round-timeout",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description = "How long a round waits for results; clients that miss it are left out of the round."
                    + " Default: ${DEFAULT-VALUE}.")
    double roundTimeoutSeconds;

    @Option(
            names = "--over-selection",
            paramLabel = "FRACTION",
            defaultValue = "0",
            description = "Select ceil(clients-per-round x (1 + FRACTION)) clients a round and complete it with the"
                    + " first --clients-per-round results (at the deadline, with at least --min-clients); later"
                    + " results are refused as not needed, never aggregated. server.db records who counted."
                    + " Default: ${DEFAULT-VALUE}.")
    double overSelection;

    @Option(
            names = "--result-buffer-mb",
            paramLabel = "MB",
            description = "Bound the memory of results that arrive before an earlier client's (results are folded in"
                    + " client order): beyond MB mebibytes such a result is refused for now and its client pushes it"
                    + " again shortly; the model is unchanged. Default: unbounded.")
    Long resultBufferMb;

    @Option(
            names = "--poll-timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "How long a client's pull that finds no task is held open (parked, no thread) before it is"
                    + " answered with none; a task for the client answers it at once, so a longer hold only makes"
                    + " idle clients ask less often. At most 50 (clients wait 60 s for an answer)."
                    + " Default: ${DEFAULT-VALUE}.")
    double pollTimeoutSeconds;

    @Option(
            names = "--service-threads",
            paramLabel = "N",
            description = "Threads that run the service's calls (request checks, signature verification, results)"
                    + " and answer held pulls; no call waits for a client, so they need not grow with the clients."
                    + " Default: twice the processors, at least 4.")
    Integer serviceThreads;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "The server's certificate chain (PEM).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The server's private key (PEM, PKCS#8).")
    Path tlsKey;

    @Option(
            names = "--authorized-keys",
            paramLabel = "FILE",
            description =
                    "The client keys admitted (authorized_keys, e.g. from fl4j keys); every request must be signed"
                            + " by one. Required with TLS.")
    Path authorizedKeys;

    @Option(
            names = "--insecure",
            description = "Plaintext without TLS, accepted only on a loopback address (prints a warning).")
    boolean insecure;

    @Override
    SimulateCommand scratch() {
        return new ServerCommand();
    }

    @Override
    public Integer call() {
        try {
            if (!"local".equals(runtime)) {
                throw new UsageException("--runtime " + runtime
                        + " applies to fl4j simulate: a server's client work runs on its remote clients");
            }
            if (!(overSelection >= 0 && overSelection <= DeployServer.MAX_OVER_SELECTION)) {
                throw new UsageException("--over-selection must be a fraction in [0, " + DeployServer.MAX_OVER_SELECTION
                        + "], got " + overSelection);
            }
            if (resultBufferMb != null && (resultBufferMb < 1 || resultBufferMb > Long.MAX_VALUE >> 20)) {
                throw new UsageException(
                        "--result-buffer-mb must be a positive number of mebibytes, got " + resultBufferMb);
            }
            if (!(roundTimeoutSeconds > 0)) {
                throw new UsageException("--round-timeout must be positive, got " + roundTimeoutSeconds);
            }
            long maxPoll = DeployServer.MAX_POLL_TIMEOUT.toSeconds();
            if (!(pollTimeoutSeconds >= 0.001 && pollTimeoutSeconds <= maxPoll)) {
                throw new UsageException("--poll-timeout must be in (0, " + maxPoll + "] seconds (at least 0.001;"
                        + " clients wait 60 s for a pull's answer), got " + pollTimeoutSeconds);
            }
            if (serviceThreads != null && serviceThreads < 1) {
                throw new UsageException("--service-threads must be at least 1, got " + serviceThreads);
            }
            ServerRun.run(
                    settings(),
                    new ServerRun.Options(
                            host,
                            port,
                            minClients != null ? minClients : 0,
                            minPopulation,
                            Duration.ofMillis((long) (roundTimeoutSeconds * 1000)),
                            overSelection,
                            resultBufferMb == null ? Long.MAX_VALUE : resultBufferMb << 20,
                            insecure,
                            tlsCert,
                            tlsKey,
                            authorizedKeys,
                            Duration.ofMillis(Math.round(pollTimeoutSeconds * 1000)),
                            serviceThreads != null ? serviceThreads : 0),
                    spec.commandLine().getOut(),
                    spec.commandLine().getErr());
            return 0;
        } catch (UsageException | CommandLine.ParameterException | IllegalStateException e) {
            return usageError(e);
        } catch (DatasetNotFoundException | DatasetFileException | CheckpointException e) {
            spec.commandLine().getErr().println(commandName() + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        } catch (Exception e) {
            return failure(e);
        }
    }
}
