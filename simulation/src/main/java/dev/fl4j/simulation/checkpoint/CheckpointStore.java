package dev.fl4j.simulation.checkpoint;

import dev.fl4j.simulation.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of checkpoints of one run, TFF's {@code FileCheckpointManager}: files
 * {@code checkpoint_00000010.fl4jckpt} (the round, eight digits) in {@link CheckpointFormat}.
 *
 * <p>Each checkpoint is written atomically (a temporary file in the same directory, forced to disk,
 * then renamed), so a run killed while saving leaves the previous checkpoints intact and never a
 * partial file under a checkpoint name. After a successful save only the newest {@code keep}
 * checkpoints are kept. {@link #loadLatest} never skips a damaged newest checkpoint silently: it
 * fails and says which older intact checkpoint remains.
 */
public final class CheckpointStore {

    /** File name suffix of checkpoints. */
    public static final String SUFFIX = ".fl4jckpt";
    private static final Pattern NAME = Pattern.compile("checkpoint_(\\d{8})" + Pattern.quote(SUFFIX));

    private final Path dir;
    private final int keep;

    /** A store in {@code dir} keeping the newest three checkpoints. */
    public CheckpointStore(Path dir) {
        this(dir, 3);
    }

    /** A store in {@code dir} keeping the newest {@code keep} (at least one) checkpoints. */
    public CheckpointStore(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("must keep at least one checkpoint, got " + keep);
        }
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    /** The file of the checkpoint after {@code round}. */
    public Path fileFor(int round) {
        return dir.resolve(String.format(Locale.ROOT, "checkpoint_%08d%s", round, SUFFIX));
    }

    /** Writes {@code checkpoint} atomically, then removes checkpoints beyond the newest {@code keep}. */
    public Path save(Checkpoint checkpoint) {
        Path file = fileFor(checkpoint.round());
        byte[] bytes = CheckpointFormat.encode(checkpoint);
        AtomicFiles.writeUnchecked(file, out -> out.write(bytes));
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            try {
                Files.deleteIfExists(all.get(i));
            } catch (IOException e) {
                throw new UncheckedIOException("could not remove old checkpoint " + all.get(i) + ": " + e.getMessage(), e);
            }
        }
        return file;
    }

    /** The checkpoint files present, oldest round first. */
    public List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = new ArrayList<>(s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).toList());
            files.sort((a, b) -> Integer.compare(roundOf(a), roundOf(b)));
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("could not list checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int roundOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not a checkpoint file name");
        }
        return Integer.parseInt(m.group(1));
    }

    /** Reads one checkpoint file. */
    public static Checkpoint read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "does not exist", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be read: " + e.getMessage(), e);
        }
        Checkpoint c = CheckpointFormat.decode(bytes, file);
        if (NAME.matcher(file.getFileName().toString()).matches() && c.round() != roundOf(file)) {
            throw new CheckpointException(file, "holds round " + c.round() + " but its name says round " + roundOf(file));
        }
        return c;
    }

    /**
     * The newest checkpoint, if any, after checking it belongs to a run configured as
     * {@code expected}.
     *
     * @throws CheckpointException         if the newest checkpoint is damaged (the message names the
     *                                     newest intact one, if any, to resume from after removing it)
     * @throws CheckpointMismatchException if it was written by a run with another configuration
     */
    public Optional<Checkpoint> loadLatest(RunConfig expected) {
        List<Path> files = list();
        if (files.isEmpty()) {
            return Optional.empty();
        }
        Path newest = files.get(files.size() - 1);
        Checkpoint c;
        try {
            c = read(newest);
        } catch (CheckpointException e) {
            String fallback = "no older checkpoint remains";
            for (int i = files.size() - 2; i >= 0; i--) {
                try {
                    read(files.get(i));
                    fallback = "the older checkpoint " + files.get(i).getFileName() + " is intact; delete the damaged file to resume from round "
                            + roundOf(files.get(i));
                    break;
                } catch (CheckpointException older) {
                    // keep looking for an intact one to name
                }
            }
            throw new CheckpointException(newest, e.problem() + " (" + fallback + ")", e);
        }
        if (!c.config().fingerprint().equals(expected.fingerprint())) {
            throw new CheckpointMismatchException(newest, "was written by a run with other settings (config fingerprint "
                    + c.config().fingerprint().substring(0, 12) + "…, this run " + expected.fingerprint().substring(0, 12) + "…): "
                    + String.join("; ", c.config().differences(expected))
                    + ". Use another checkpoint directory, or the original settings to resume.");
        }
        return Optional.of(c);
    }
}
