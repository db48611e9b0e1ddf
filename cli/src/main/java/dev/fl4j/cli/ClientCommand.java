package dev.fl4j.cli;

import dev.fl4j.cli.simulate.ClientRun;
import dev.fl4j.cli.simulate.UsageException;
import dev.fl4j.simulation.datasets.DatasetFileException;
import dev.fl4j.simulation.datasets.DatasetNotFoundException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fl4j client}: trains on local data for an fl4j server. */
@Command(
        name = "client",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train on local data for an fl4j server (fl4j server) until its run finishes.",
            "The data set is given as to simulate; --partition/--clients/--client-index take one shard of a partition.",
            "A csv:PATH or parquet:PATH table without --client-column and --partition is all this client's data"
                    + " (--client-index 0)."
        },
        footer = {
            "",
            "Example (shard 0 of 3 synthetic clients; keys from 'fl4j keys --out keys --clients 3'):",
            "  fl4j client --server 127.0.0.1:7000 --trust keys/ca.pem --key keys/client-0.key \\",
            "    --dataset synthetic --clients 3 --client-index 0"
        })
final class ClientCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--server", paramLabel = "HOST:PORT", required = true, description = "The server.")
    String server;

    @Option(
            names = "--trust",
            paramLabel = "CA.pem",
            description = "Trust roots to verify the server's TLS certificate.")
    Path trust;

    @Option(
            names = "--key",
            paramLabel = "CLIENT.key",
            description = "This client's Ed25519 private key (PEM, from fl4j keys); signs every request.")
    Path key;

    @Option(
            names = "--insecure",
            description = "Plaintext, only to a loopback server started with --insecure (prints a warning).")
    boolean insecure;

    @Option(
            names = "--dataset",
            paramLabel = "SPEC",
            defaultValue = "synthetic",
            description = "As simulate's --dataset. Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(
            names = "--partition",
            paramLabel = "SPEC",
            description = "As simulate's --partition (centralised data sets).")
    String partition;

    @Option(names = "--clients", paramLabel = "N", description = "As simulate's --clients: the partition's size.")
    Integer clients;

    @Option(
            names = "--client-index",
            paramLabel = "K",
            required = true,
            description = "Which shard of the partition is this client's data.")
    int clientIndex;

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description = "As simulate's --model (shapes batches for it). Default: the data set's.")
    String model;

    @Option(
            names = "--examples-per-client",
            paramLabel = "N",
            defaultValue = "0",
            description = "As simulate's --examples-per-client. Default: ${DEFAULT-VALUE}.")
    int examplesPerClient;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description = "The partition's seed, as simulate's --seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--id",
            paramLabel = "ID",
            description = "This client's id without --key (with a key, its id is the key's). Default: the shard's id.")
    String id;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Keep this client's own client state (error-feedback residuals, SCAFFOLD control variates)"
                    + " in DIR, one snapshot per round, so it survives a restart. Default: in memory.")
    Path stateDir;

    @Override
    public Integer call() {
        try {
            ClientRun.run(
                    new ClientRun.Options(
                            server,
                            trust,
                            key,
                            insecure,
                            dataset,
                            partition,
                            clients,
                            clientIndex,
                            model,
                            examplesPerClient,
                            seed,
                            id,
                            data.spec(),
                            stateDir),
                    spec.commandLine().getOut(),
                    spec.commandLine().getErr());
            return 0;
        } catch (UsageException | IllegalStateException e) {
            spec.commandLine().getErr().println("fl4j client: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        } catch (DatasetNotFoundException | DatasetFileException e) {
            spec.commandLine().getErr().println("fl4j client: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        } catch (Exception e) {
            spec.commandLine().getErr().println("fl4j client: failed: " + e);
            spec.commandLine().getErr().flush();
            return 1;
        }
    }
}
