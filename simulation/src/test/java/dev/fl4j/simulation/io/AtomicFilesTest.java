package dev.fl4j.simulation.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void replacesContentAndCreatesParents() throws Exception {
        Path f = dir.resolve("a/b/file.txt");
        AtomicFiles.write(f, "one".getBytes());
        AtomicFiles.write(f, "two".getBytes());
        assertEquals("two", Files.readString(f));
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void failedWriteLeavesOldFileAndNoTemporary() throws Exception {
        Path f = dir.resolve("keep.txt");
        AtomicFiles.write(f, "good".getBytes());
        IOException e = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(f, out -> {
                    out.write("half".getBytes());
                    throw new IOException("disk on fire");
                }));
        assertEquals("disk on fire", e.getMessage());
        assertEquals("good", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "temporary file removed");
        }
    }

    @Test
    void writtenFileHasTheUsersDefaultPermissionsNotOwnerOnly(@TempDir Path dir) throws Exception {
        Path plain = Files.createFile(dir.resolve("plain"));
        Path atomic = dir.resolve("chart.png");
        AtomicFiles.write(atomic, new byte[] {1, 2, 3});
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }
}
