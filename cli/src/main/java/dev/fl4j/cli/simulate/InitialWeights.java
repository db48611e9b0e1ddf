package dev.fl4j.cli.simulate;

import dev.fl4j.core.StructType;
import dev.fl4j.learning.algorithms.ModelEngines;
import dev.fl4j.learning.model.ExportedModel;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.simulation.checkpoint.Checkpoint;
import dev.fl4j.simulation.checkpoint.CheckpointStore;
import dev.fl4j.simulation.export.ModelExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --init PATH}: the weights a run starts from instead of the seeded initial ones, read from an
 * fl4j checkpoint file ({@code checkpoint_00000010.fl4jckpt}, {@link CheckpointStore#read}), from a
 * checkpoint directory (its newest checkpoint) or from an exported model ({@code simulate --export DIR}, read
 * through the engine's own loader, {@link ModelEngine#openExported}), and checked against the model weight by
 * weight.
 */
public final class InitialWeights {

    private InitialWeights() {}

    /**
     * The global model stored at {@code path}, checked against {@code weightsType}.
     *
     * @throws UsageException naming {@code --init}, the path and the problem: nothing there, a directory
     *     without checkpoints, a checkpoint without a model, or a weight missing, extra or of another shape
     * @throws dev.fl4j.simulation.checkpoint.CheckpointException for a damaged checkpoint file
     */
    public static ModelWeights read(Path path, StructType weightsType) {
        Path file = path;
        if (Files.isRegularFile(path.resolve(ModelExport.PROVENANCE_FILE))) {
            return fromExport(path, weightsType);
        }
        if (Files.isDirectory(path)) {
            List<Path> files = CheckpointStore.checkpointsIn(path);
            if (files.isEmpty()) {
                throw new UsageException("--init " + path + ": no checkpoint (checkpoint_N" + CheckpointStore.SUFFIX
                        + ") in this directory; simulate --checkpoint-dir DIR writes one sub-directory per"
                        + " aggregator run, e.g. DIR/mean");
            }
            file = files.get(files.size() - 1);
        } else if (!Files.exists(path)) {
            throw new UsageException("--init " + path + ": no such file or directory");
        }
        Checkpoint c = CheckpointStore.read(file);
        ModelWeights w;
        try {
            w = c.modelWeights();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--init " + file + ": " + e.getMessage());
        }
        try {
            w.requireType(weightsType);
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "--init " + file + " (round " + c.round() + ") does not fit the model: " + e.getMessage());
        }
        return w;
    }

    private static ModelWeights fromExport(Path dir, StructType weightsType) {
        try (ExportedModel exported = ModelEngines.defaultEngine().openExported(dir)) {
            return exported.weights(weightsType);
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "--init " + dir + " (an exported model) does not fit the model: " + e.getMessage());
        } catch (IOException e) {
            throw new UsageException("--init " + dir + ": cannot read the exported model: " + e.getMessage());
        }
    }
}
