package dev.fl4j.simulation.export;

import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.learning.keras.ModelSpec;
import dev.fl4j.learning.model.ModelEngine;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.simulation.provenance.Provenance;
import dev.fl4j.simulation.provenance.ProvenanceReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Writes a trained global model for use outside fl4j, and reads back what produced it.
 *
 * <p>The directory holds the engine's serving format as the engine writes it (TensorFlow: a SavedModel,
 * {@code saved_model.pb} and {@code variables/}, see {@link ModelEngine#exportModel}) and, in {@code assets.extra/}
 * (the SavedModel directory for files its loaders leave alone), fl4j's own records:
 * <ul>
 *   <li>{@value #PROVENANCE_FILE}: the run's {@link Provenance}, one line of JSON ({@link Provenance#toJson()}), which
 *       {@code fl4j describe DIR} prints;</li>
 *   <li>{@value #MODEL_SPEC_FILE}: the model's {@code fl4j.model_spec} JSON ({@link ModelSpec#toJson()}), for
 *       people and tools that want the architecture; the exported model never needs it.</li>
 * </ul>
 *
 * <p>An export never replaces anything: the directory must not exist or be empty, or {@link #write} refuses it (as
 * {@code fl4j keys} refuses to overwrite), and {@link #checkTarget} lets a command refuse it before a long run. The
 * model is written to a hidden sibling directory first and renamed into place, so a failed export leaves no
 * half-written model under the name.
 */
public final class ModelExport {

    /** Where the provenance is, relative to the export directory. */
    public static final String PROVENANCE_FILE = "assets.extra/fl4j_provenance.json";
    /** Where the model spec is, relative to the export directory. */
    public static final String MODEL_SPEC_FILE = "assets.extra/fl4j_model_spec.json";

    private ModelExport() {}

    /**
     * Refuses {@code dir} unless it does not exist or is an empty directory.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void checkTarget(Path dir) {
        if (!Files.exists(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null && Files.exists(parent) && !Files.isDirectory(parent)) {
                throw new IllegalArgumentException(dir + ": " + parent + " is not a directory");
            }
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " exists and is not a directory; refusing to overwrite it");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                throw new IllegalArgumentException(
                        dir + " is not empty; refusing to overwrite it (export to a new or empty directory)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the model {@code spec} with {@code weights} and its {@code provenance} into {@code dir} with
     * {@code engine}'s serving format.
     *
     * @throws IllegalArgumentException if {@code dir} exists and is not an empty directory, or the weights do not fit
     *                                  the spec
     * @throws UnsupportedOperationException if the engine cannot export models
     * @throws IOException if the files cannot be written
     */
    public static void write(ModelEngine engine, ModelSpec spec, ModelWeights weights, Provenance provenance, Path dir)
            throws IOException {
        checkTarget(dir);
        Path absolute = dir.toAbsolutePath();
        Path parent = absolute.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path staging = absolute.resolveSibling("." + absolute.getFileName() + ".export-"
                + HexFormat.of().formatHex(new SecureRandom().generateSeed(4)));
        try {
            engine.exportModel(spec, weights, staging);
            Path extra = Files.createDirectories(staging.resolve("assets.extra"));
            Files.writeString(
                    extra.resolve("fl4j_provenance.json"), provenance.toJson() + "\n", StandardCharsets.UTF_8);
            Files.writeString(extra.resolve("fl4j_model_spec.json"), spec.toJson() + "\n", StandardCharsets.UTF_8);
            checkTarget(dir);
            if (Files.exists(absolute)) {
                Files.delete(absolute); // empty, checked just now
            }
            Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * The provenance recorded in an export directory, or empty if {@code dir} is not a directory or holds no
     * {@value #PROVENANCE_FILE}.
     *
     * @throws MalformedDataException if the file is there but is not one line of provenance JSON
     */
    public static Optional<ProvenanceReader.Found> readProvenance(Path dir) {
        Path file = dir.resolve(PROVENANCE_FILE);
        if (!Files.isDirectory(dir) || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(Provenance.MAX_JSON_CHARS + 2);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.indexOf('\n') >= 0) {
            throw new MalformedDataException(file + ": expected one line of provenance JSON, found several lines");
        }
        try {
            return Optional.of(new ProvenanceReader.Found(
                    ProvenanceReader.Kind.EXPORTED_MODEL, List.of(Provenance.fromJson(text))));
        } catch (MalformedDataException e) {
            throw new MalformedDataException(file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
