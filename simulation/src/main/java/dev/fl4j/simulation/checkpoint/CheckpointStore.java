package dev.fl4j.simulation.checkpoint;

import dev.fl4j.core.runtime.ClientStateStore;
import dev.fl4j.simulation.io.AtomicFiles;
import dev.fl4j.simulation.provenance.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of checkpoints of one run, TFF's {@code FileCheckpointManager}: files
 * {@code checkpoint_00000010.fl4jckpt} (the round, at least eight digits: zero-padded to eight, and
 * as many as it takes above 99,999,999) in {@link CheckpointFormat}.
 *
 * <p>Each checkpoint is written atomically (a temporary file in the same directory, forced to disk,
 * then renamed), so a run killed while saving leaves the previous checkpoints intact and never a
 * partial file under a checkpoint name. The temporary files such a kill leaves
 * ({@code .checkpoint_00000010.fl4jckpt.RANDOM.tmp}) are deleted when a store is opened on the
 * directory. After a successful save only the newest {@code keep} checkpoints are kept.
 * {@link #loadLatest} never skips a damaged newest checkpoint silently: it fails and says which
 * older intact checkpoint remains. Every failure to read a checkpoint, whatever its cause, is a
 * {@link CheckpointException} naming the file.
 */
public final class CheckpointStore {

    /** File name suffix of checkpoints. */
    public static final String SUFFIX = ".fl4jckpt";
    /** The largest checkpoint file read: what fits in one Java array. */
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;
    /**
     * The names {@link #fileFor} gives: eight zero-padded digits, or more without leading zeros (at most a long's 19).
     */
    private static final Pattern NAME = Pattern.compile("checkpoint_(\\d{8}|[1-9]\\d{8,18})" + Pattern.quote(SUFFIX));
    /**
     * Oldest round first. Names of more than eight digits have no leading zeros, so a longer name is a
     * later round and names of one length compare as text.
     */
    private static final Comparator<Path> ROUND_ORDER = Comparator.comparing(
                    (Path p) -> p.getFileName().toString().length())
            .thenComparing(p -> p.getFileName().toString());
    /** The temporary files {@link AtomicFiles} writes a checkpoint to before renaming it. */
    private static final Pattern TEMP_NAME =
            Pattern.compile("\\.checkpoint_\\d+" + Pattern.quote(SUFFIX) + "\\.[0-9a-z]+\\.tmp");

    private final Path dir;
    private final int keep;
    private final Optional<Provenance> provenance;

    /** A store in {@code dir} keeping the newest three checkpoints. */
    public CheckpointStore(Path dir) {
        this(dir, 3);
    }

    /**
     * A store in {@code dir} keeping the newest {@code keep} (at least one) checkpoints. Temporary
     * files a killed save left in {@code dir} are deleted now.
     *
     * @throws UncheckedIOException if such a file cannot be deleted
     */
    public CheckpointStore(Path dir, int keep) {
        this(dir, keep, Optional.empty());
    }

    private CheckpointStore(Path dir, int keep, Optional<Provenance> provenance) {
        if (keep < 1) {
            throw new IllegalArgumentException("must keep at least one checkpoint, got " + keep);
        }
        this.dir = dir;
        this.keep = keep;
        this.provenance = provenance;
        removeStaleTemporaryFiles();
    }

    /** This store stamping {@code provenance} on every checkpoint it saves that records none itself. */
    public CheckpointStore withProvenance(Provenance provenance) {
        return new CheckpointStore(dir, keep, Optional.of(provenance));
    }

    private void removeStaleTemporaryFiles() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> stale;
        try (Stream<Path> s = Files.list(dir)) {
            stale = s.filter(p -> TEMP_NAME.matcher(p.getFileName().toString()).matches())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not list " + dir + " for temporary files of interrupted saves: " + e.getMessage(), e);
        }
        for (Path p : stale) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not remove " + p + ", left by an interrupted checkpoint save: " + e.getMessage(), e);
            }
        }
    }

    public Path dir() {
        return dir;
    }

    /** The file of the checkpoint after {@code round} (non-negative). */
    public Path fileFor(int round) {
        return dir.resolve(fileName(round));
    }

    private static String fileName(long round) {
        if (round < 0) {
            throw new IllegalArgumentException("round must not be negative, got " + round);
        }
        return String.format(Locale.ROOT, "checkpoint_%08d%s", round, SUFFIX);
    }

    /**
     * Writes {@code checkpoint} atomically (with this store's provenance if it records none), then removes checkpoints
     * beyond the newest {@code keep}.
     */
    public Path save(Checkpoint checkpoint) {
        Path file = fileFor(checkpoint.round());
        Checkpoint stamped = checkpoint.provenance().isEmpty() && provenance.isPresent()
                ? checkpoint.withProvenance(provenance.get())
                : checkpoint;
        byte[] bytes = CheckpointFormat.encode(stamped);
        AtomicFiles.writeUnchecked(file, out -> out.write(bytes));
        removeBeyondKept();
        return file;
    }

    /**
     * As {@link #save(Checkpoint)}, the checkpoint's client states written as they come from
     * {@code clientStates} ({@link CheckpointFormat#write}): the same file, written without holding
     * every client's state at once (a runtime that keeps them on a cluster streams them in pieces).
     *
     * @throws IllegalArgumentException if {@code checkpoint} holds client states itself
     */
    public Path save(Checkpoint checkpoint, ClientStateStore clientStates) {
        Path file = fileFor(checkpoint.round());
        Checkpoint stamped = checkpoint.provenance().isEmpty() && provenance.isPresent()
                ? checkpoint.withProvenance(provenance.get())
                : checkpoint;
        if (!(stamped.clientStates() instanceof dev.fl4j.core.Struct own) || own.size() != 0) {
            throw new IllegalArgumentException("a checkpoint saved with a client state store holds no states itself");
        }
        try {
            AtomicFiles.writeChannel(file, ch -> CheckpointFormat.write(stamped, clientStates.snapshotStream(), ch));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
        removeBeyondKept();
        return file;
    }

    private void removeBeyondKept() {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            try {
                Files.deleteIfExists(all.get(i));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not remove old checkpoint " + all.get(i) + ": " + e.getMessage(), e);
            }
        }
    }

    /** The checkpoint files present, oldest round first. */
    public List<Path> list() {
        return checkpointsIn(dir);
    }

    /**
     * The checkpoint files in {@code dir}, oldest round first, without opening it as a store (which would
     * remove what a killed save left): for reading another run's checkpoints.
     */
    public static List<Path> checkpointsIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = new ArrayList<>(
                    s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                            .toList());
            files.sort(ROUND_ORDER);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("could not list checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The round digits of a checkpoint file name, without the padding zeros. */
    private static String roundOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not a checkpoint file name");
        }
        return m.group(1).replaceFirst("^0+(?=.)", "");
    }

    /**
     * Reads one checkpoint file.
     *
     * @throws CheckpointException naming the file, for any failure: missing, unreadable, too large,
     *     damaged, or not following the checkpoint layout
     */
    public static Checkpoint read(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new CheckpointException(
                        file, "is " + size + " bytes, more than a checkpoint can hold (" + MAX_FILE_BYTES + ")");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "does not exist", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointException c) {
                throw c;
            }
            throw new CheckpointException(file, "cannot be read: " + e.getMessage(), e);
        }
        Checkpoint c = CheckpointFormat.decode(bytes, file);
        checkName(file, c);
        return c;
    }

    /**
     * Opens one checkpoint file with its client states left in it ({@link CheckpointFormat#open}), checked as
     * {@link #read} checks it.
     *
     * @throws CheckpointException naming the file, for any failure
     */
    public static CheckpointFile open(Path file) {
        CheckpointFile opened = CheckpointFormat.open(file);
        checkName(file, opened.checkpoint());
        return opened;
    }

    private static void checkName(Path file, Checkpoint c) {
        String name = file.getFileName().toString();
        if (NAME.matcher(name).matches() && !name.equals(fileName(c.round()))) {
            throw new CheckpointException(
                    file, "holds round " + c.round() + " but its name says round " + roundOf(file));
        }
    }

    /**
     * As {@link #loadLatest}, the newest checkpoint opened with its client states left in the file
     * ({@link #open}), for a resume that hands them on one at a time.
     *
     * @throws CheckpointException         as {@link #loadLatest}
     * @throws CheckpointMismatchException as {@link #loadLatest}
     */
    public Optional<CheckpointFile> openLatest(RunConfig expected) {
        return latest(expected, CheckpointStore::open, CheckpointFile::checkpoint);
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
        return latest(expected, CheckpointStore::read, c -> c);
    }

    /** The newest checkpoint as {@code reader} reads it, checked against {@code expected}. */
    private <T> Optional<T> latest(
            RunConfig expected,
            java.util.function.Function<Path, T> reader,
            java.util.function.Function<T, Checkpoint> of) {
        List<Path> files = list();
        if (files.isEmpty()) {
            return Optional.empty();
        }
        Path newest = files.get(files.size() - 1);
        T opened;
        try {
            opened = reader.apply(newest);
        } catch (CheckpointException e) {
            String fallback = "no older checkpoint remains";
            for (int i = files.size() - 2; i >= 0; i--) {
                try {
                    Checkpoint older = read(files.get(i));
                    fallback = "the older checkpoint " + files.get(i).getFileName()
                            + " is intact; delete the damaged file to resume from round " + older.round();
                    break;
                } catch (CheckpointException older) {
                    // keep looking for an intact one to name
                }
            }
            throw new CheckpointException(newest, e.problem() + " (" + fallback + ")", e);
        }
        Checkpoint c = of.apply(opened);
        if (!c.config().fingerprint().equals(expected.fingerprint())) {
            throw new CheckpointMismatchException(
                    newest,
                    "was written by a run with other settings (config fingerprint "
                            + c.config().fingerprint().substring(0, 12) + "…, this run "
                            + expected.fingerprint().substring(0, 12) + "…): "
                            + String.join("; ", c.config().differences(expected))
                            + ". Use another checkpoint directory, or the original settings to resume.");
        }
        return Optional.of(opened);
    }
}
