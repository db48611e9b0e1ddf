package dev.fl4j.cli;

import dev.fl4j.cli.simulate.Simulation;
import dev.fl4j.cli.simulate.SimulationData;
import dev.fl4j.cli.simulate.TableSpec;
import dev.fl4j.cli.simulate.UsageException;
import dev.fl4j.cli.spec.PartitionSpec;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.datasets.DatasetFileException;
import dev.fl4j.simulation.datasets.DatasetNotFoundException;
import dev.fl4j.simulation.tables.TableExport;
import dev.fl4j.simulation.tables.TableFormat;
import dev.fl4j.simulation.tables.TableFormats;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fl4j data export}: writes a data set's clients, as {@code simulate} would make them (same
 * loader, partition and seed), to one CSV or Parquet table with a {@code client_id} column, which
 * {@code --dataset csv:PATH} / {@code parquet:PATH} with {@code --label-column y --client-column client_id}
 * reads back as the same clients with the same examples, bit for bit.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Write a data set's clients (after --partition, as simulate makes them) to one CSV or Parquet table:",
            "client_id, x[...] (one float column per feature, named by index), y. Read it back with",
            "--dataset csv:PATH or parquet:PATH --label-column y --client-column client_id."
        },
        footer = {
            "",
            "Example:",
            "  fl4j data export --dataset mnist:DIR --partition dirichlet:0.5 --clients 100 --format parquet"
                    + " --out mnist.parquet"
        })
final class DataExportCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", paramLabel = "FORMAT", required = true, description = "csv or parquet.")
    String format;

    @Option(names = "--dataset", paramLabel = "SPEC", required = true, description = "As simulate's --dataset.")
    String dataset;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(
            names = "--partition",
            paramLabel = "SPEC",
            description = "As simulate's --partition (centralised data sets). Default: iid.")
    String partition;

    @Option(
            names = "--clients",
            paramLabel = "N",
            description = "As simulate's --clients (default " + Simulation.DEFAULT_CLIENTS
                    + " for centralised and synthetic data, all clients of federated files).")
    Integer clients;

    @Option(
            names = "--examples-per-client",
            paramLabel = "N",
            defaultValue = "0",
            description = "As simulate's --examples-per-client (the synthetic generator). Default: ${DEFAULT-VALUE}.")
    int examplesPerClient;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description = "As simulate's --seed (partition, hold-out, synthetic data). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--split",
            paramLabel = "SPLIT",
            defaultValue = "train",
            description = "train: the training clients; test: the test clients, or a centralised test set as one"
                    + " client named 'test'. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The table file to write.")
    Path out;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            export(spec.commandLine().getOut());
            return 0;
        } catch (UsageException e) {
            err.println("fl4j data export: " + e.getMessage());
            err.flush();
            return 2;
        } catch (DatasetNotFoundException | DatasetFileException e) {
            err.println("fl4j data export: " + e.getMessage());
            err.flush();
            return 1;
        } catch (Exception e) {
            err.println("fl4j data export: failed: " + e);
            err.flush();
            return 1;
        }
    }

    private void export(PrintWriter printer) throws Exception {
        TableFormat tableFormat;
        try {
            tableFormat = TableFormats.named(format);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--format " + format + ": " + e.getMessage());
        }
        TableSpec table = data.spec();
        boolean centralised = SimulationData.isCentralised(dataset, table);
        boolean federatedFiles = !centralised && !SimulationData.isSynthetic(dataset);
        int n = clients != null ? clients : federatedFiles ? 0 : Simulation.DEFAULT_CLIENTS;
        if (partition != null && !centralised) {
            throw new UsageException(
                    "--partition applies to centralised datasets; " + dataset + " is already split by clients");
        }
        String p = centralised ? (partition != null ? partition : "iid") : null;
        if (p != null) {
            try {
                PartitionSpec.parse(p);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--partition: " + e.getMessage());
            }
        }
        if (out.getParent() != null && !Files.isDirectory(out.getParent())) {
            throw new UsageException("--out " + out + ": the directory " + out.getParent() + " does not exist");
        }
        StringBuilder summary = new StringBuilder();
        try (SimulationData d = SimulationData.load(dataset, table, p, n, examplesPerClient, seed, summary)) {
            printer.print(summary);
            ClientData written = switch (split.toLowerCase(Locale.ROOT)) {
                case "train" -> d.train();
                case "test" -> {
                    if (d.testClients() != null) {
                        yield d.testClients();
                    }
                    if (d.centralTest() != null) {
                        yield ClientData.fromExamples(Map.of("test", d.centralTest()));
                    }
                    throw new UsageException("--split test: " + dataset + " has no test data");
                }
                default -> throw new UsageException("--split " + split + ": expected train or test");
            };
            long examples;
            try {
                examples = TableExport.write(written, tableFormat, out);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--dataset " + dataset + ": " + e.getMessage());
            }
            this.spec
                    .commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "wrote %s: %d clients, %d examples (%s), columns %s, x[...], %s%n",
                            out,
                            written.clientIds().size(),
                            examples,
                            tableFormat.name(),
                            TableExport.CLIENT_COLUMN,
                            TableExport.LABEL_COLUMN);
            printer.flush();
        }
    }
}
