package dev.fl4j.cli;

import dev.fl4j.simulation.checkpoint.CheckpointFormat;
import dev.fl4j.simulation.export.ModelExport;
import dev.fl4j.simulation.provenance.Provenance;
import dev.fl4j.simulation.provenance.ProvenanceReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fl4j describe FILE}: prints what produced an artefact fl4j wrote (its {@link Provenance}), for a checkpoint, a
 * CSV or JSON-lines metrics file, a TensorBoard event file or a PNG chart, told apart by content, and for a model
 * directory {@code fl4j simulate --export} wrote (its {@code assets.extra/fl4j_provenance.json})
 * ({@link ProvenanceReader}). Exit 0 when it printed a provenance; 1 for a file of no kind fl4j writes, a file that
 * records none, or a damaged one (the message says which).
 */
@Command(
        name = "describe",
        mixinStandardHelpOptions = true,
        description = {
            "Prints what produced a file fl4j wrote: fl4j version and commit, the run's configuration, seed, JDK and "
                    + "engine.",
            "Reads checkpoints, CSV and JSON-lines metrics, TensorBoard event files and PNG charts (recognised by "
                    + "content),",
            "and exported model directories (fl4j simulate --export DIR)."
        })
final class DescribeCommand implements Callable<Integer> {

    /** The largest file read whole (a checkpoint): what fits in one Java array. */
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A file fl4j wrote, or an exported model directory.")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<ProvenanceReader.Found> found = read(file);
        if (found.isEmpty()) {
            err.println(
                    "fl4j describe: " + file + " is not a file fl4j writes (a checkpoint, CSV or JSON-lines metrics, "
                            + "a TensorBoard event file, a PNG chart or an exported model directory)");
            err.flush();
            return 1;
        }
        ProvenanceReader.Found f = found.get();
        List<Provenance> provenance = f.provenance();
        if (provenance.isEmpty()) {
            err.println("fl4j describe: " + file + ": " + f.kind().description() + " that records no provenance "
                    + "(written by an fl4j before provenance, or without it)");
            err.flush();
            return 1;
        }
        out.println(file + ": " + f.kind().description()
                + (provenance.size() > 1 ? ", " + provenance.size() + " runs" : ""));
        for (int i = 0; i < provenance.size(); i++) {
            if (provenance.size() > 1) {
                out.printf(
                        "%nrun %d of %d (aggregator %s)%n",
                        i + 1,
                        provenance.size(),
                        provenance.get(i).config().settings().getOrDefault("aggregator", "?"));
            }
            out.print(provenance.get(i).describe());
        }
        out.flush();
        return 0;
    }

    /** Reads the head of {@code file}, or all of it for a checkpoint, and looks for its provenance. */
    static Optional<ProvenanceReader.Found> read(Path file) {
        if (Files.isDirectory(file)) {
            return ModelExport.readProvenance(file);
        }
        try {
            long size = Files.size(file);
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(ProvenanceReader.HEAD_BYTES);
            }
            boolean whole = head.length >= size;
            boolean checkpoint = head.length >= CheckpointFormat.MAGIC.length
                    && Arrays.equals(
                            head,
                            0,
                            CheckpointFormat.MAGIC.length,
                            CheckpointFormat.MAGIC,
                            0,
                            CheckpointFormat.MAGIC.length);
            if (checkpoint && !whole) {
                if (size > MAX_FILE_BYTES) {
                    throw new IllegalArgumentException(
                            file + " is " + size + " bytes, more than a checkpoint can hold (" + MAX_FILE_BYTES + ")");
                }
                head = Files.readAllBytes(file);
                whole = true;
            }
            return ProvenanceReader.read(head, whole, file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
