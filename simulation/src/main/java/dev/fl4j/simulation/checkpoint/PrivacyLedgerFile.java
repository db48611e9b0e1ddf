package dev.fl4j.simulation.checkpoint;

import dev.fl4j.privacy.PrivacyLedger;
import dev.fl4j.simulation.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link PrivacyLedger} kept in a checkpoint directory, next to the checkpoints of the
 * differentially private run it belongs to: the file {@value #FILE_NAME}, two lines of ASCII,
 *
 * <pre>
 * fl4j.privacy_ledger 1
 * spent=N
 * </pre>
 *
 * where {@code N} is the number of noised rounds recorded as spent. Each {@link #record} replaces
 * the file atomically and forces it to disk before it returns (so before the round's noised result
 * exists). The file never counts down; it is not removed with old checkpoints.
 */
public final class PrivacyLedgerFile implements PrivacyLedger {

    /** The file's name inside the checkpoint directory. */
    public static final String FILE_NAME = "privacy_ledger.txt";

    private static final String HEADER = "fl4j.privacy_ledger 1";
    private static final String SPENT = "spent=";
    private static final int MAX_BYTES = 200;
    private static final Pattern TEMP_NAME = Pattern.compile("\\." + Pattern.quote(FILE_NAME) + "\\.[0-9a-z]+\\.tmp");

    private final Path dir;
    private final Path file;
    private long spent;

    private PrivacyLedgerFile(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        removeTemporaryFiles(dir);
        this.spent = Files.exists(file) ? read(file) : 0;
    }

    /** Deletes the temporary files ({@code .privacy_ledger.txt.RANDOM.tmp}) a run killed while recording leaves. */
    private static void removeTemporaryFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(
                            p -> TEMP_NAME.matcher(p.getFileName().toString()).matches())
                    .toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not remove temporary privacy ledger files in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The ledger of the run checkpointed in {@code store}, read from its file if there is one.
     *
     * @throws CheckpointException if the file exists but is not a ledger
     */
    public static PrivacyLedgerFile in(CheckpointStore store) {
        return new PrivacyLedgerFile(store.dir());
    }

    /** The checkpoint directory this ledger lives in. */
    public Path dir() {
        return dir;
    }

    /** The ledger's file. */
    public Path file() {
        return file;
    }

    /** Whether the file exists (a run has recorded a release). */
    public boolean exists() {
        return Files.exists(file);
    }

    @Override
    public synchronized long spent() {
        return spent;
    }

    @Override
    public synchronized void record(long total) {
        if (total < spent) {
            throw new IllegalArgumentException("privacy ledger " + file + ": " + spent
                    + " releases are spent, cannot record fewer (" + total + ")");
        }
        byte[] bytes = (HEADER + "\n" + SPENT + total + "\n").getBytes(StandardCharsets.US_ASCII);
        AtomicFiles.writeUnchecked(file, out -> out.write(bytes));
        spent = total;
    }

    /** Reads a ledger file. */
    static long read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new CheckpointException(
                        file,
                        "is not a privacy ledger: " + Files.size(file) + " bytes, a ledger has at most " + MAX_BYTES);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "does not exist", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot be read: " + e.getMessage(), e);
        }
        return parse(bytes, file);
    }

    /** Parses a ledger's bytes; {@code file} only names the source in errors. */
    static long parse(byte[] bytes, Path file) {
        if (bytes.length > MAX_BYTES) {
            throw new CheckpointException(
                    file, "is not a privacy ledger: " + bytes.length + " bytes, a ledger has at most " + MAX_BYTES);
        }
        String[] lines = new String(bytes, StandardCharsets.US_ASCII).split("\n", -1);
        if (lines.length != 3 || !lines[0].equals(HEADER) || !lines[1].startsWith(SPENT) || !lines[2].isEmpty()) {
            throw new CheckpointException(
                    file, "is not a privacy ledger: expected the lines '" + HEADER + "' and 'spent=N'");
        }
        String number = lines[1].substring(SPENT.length());
        if (!number.matches("\\d{1,18}")) {
            throw new CheckpointException(
                    file, "privacy ledger's spent count '" + number + "' is not a whole number of at most 18 digits");
        }
        return Long.parseLong(number);
    }

    @Override
    public String toString() {
        return "privacy ledger " + file + " (" + spent() + " spent)";
    }
}
