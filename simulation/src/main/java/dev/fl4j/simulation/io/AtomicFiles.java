package dev.fl4j.simulation.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that readers see either the old complete file or the new complete file, never
 * a half-written one: the content goes to a temporary file in the same directory, is forced to
 * disk, and is renamed over the target (atomically where the file system supports it). If writing
 * fails the target is untouched and the temporary file is removed.
 */
public final class AtomicFiles {

    /** Writes content to a stream; may throw {@link IOException}. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static final java.security.SecureRandom TMP_NAMES = new java.security.SecureRandom();

    private AtomicFiles() {}

    /** Writes content to a file channel, which it may position (to write a header last, say). */
    @FunctionalInterface
    public interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    /** Replaces {@code target} with what {@code writer} writes; creates parent directories. */
    public static void write(Path target, Writer writer) throws IOException {
        writeChannel(target, ch -> {
            OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            writer.write(out);
            out.flush();
        });
    }

    /** As {@link #write(Path, Writer)}, the content written by {@code writer} to the temporary file's channel. */
    public static void writeChannel(Path target, ChannelWriter writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // A fresh name created here (not Files.createTempFile, whose owner-only permissions the
        // renamed file would keep): the result gets the permissions of any file the user creates.
        Path tmp = dir.resolve(
                "." + target.getFileName() + "." + Long.toUnsignedString(TMP_NAMES.nextLong(), 36) + ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            syncDirectory(dir);
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Replaces {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** As {@link #write(Path, Writer)}, with I/O failures as {@link UncheckedIOException}. */
    public static void writeUnchecked(Path target, Writer writer) {
        try {
            write(target, writer);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void syncDirectory(Path dir) {
        // makes the rename durable on POSIX file systems; not possible everywhere, and then harmless
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // directories cannot be opened for sync on some platforms (e.g. Windows)
        }
    }
}
