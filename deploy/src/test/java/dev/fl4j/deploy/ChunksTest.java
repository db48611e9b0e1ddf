package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Chunks#split}: the pieces, in order, add up to the payload; they are views of it, not copies. */
class ChunksTest {

    private static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void piecesAreAtMostTheChunkSizeAndAddUpToThePayload() throws IOException {
        byte[] p = payload(10_001);
        List<ByteString> chunks = Chunks.split(p, 1000);
        assertEquals(11, chunks.size());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < chunks.size(); i++) {
            assertEquals(i < 10 ? 1000 : 1, chunks.get(i).size());
            chunks.get(i).writeTo(joined);
        }
        assertArrayEquals(p, joined.toByteArray());
        assertEquals(List.of(), Chunks.split(new byte[0], 1000));
        assertEquals(1, Chunks.split(payload(1000), 1000).size());
    }

    @Test
    void piecesShareThePayloadsBytes() {
        byte[] p = payload(3000);
        List<ByteString> chunks = Chunks.split(p, 1000);
        p[1500] = 42; // the caller must not do this while the pieces are in use: they would send it
        assertEquals(42, chunks.get(1).byteAt(500));
    }

    @Test
    void aChunkSizeBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chunks.split(payload(3), 0));
        assertEquals("chunk size must be positive, got 0", e.getMessage());
    }
}
