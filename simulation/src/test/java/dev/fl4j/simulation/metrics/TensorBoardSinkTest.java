package dev.fl4j.simulation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.fl4j.simulation.internal.TfRecords;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardSinkTest {

    @TempDir
    Path dir;

    /** Independent of the writer: CRC-32C per RFC 3720 and TFRecord's mask. */
    private static int masked(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        int crc = (int) c.getValue();
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    /** Splits a TFRecord file into its records, checking both CRCs of every record. */
    private static List<byte[]> records(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            long length = b.getLong();
            assertEquals(masked(file, start, 8), b.getInt(), "length CRC of record " + out.size());
            byte[] data = new byte[(int) length];
            b.get(data);
            assertEquals(masked(data, 0, data.length), b.getInt(), "data CRC of record " + out.size());
            out.add(data);
        }
        return out;
    }

    @Test
    void crc32cMatchesTheStandardCheckValue() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, TfRecords.crc32c(check, 0, check.length));
    }

    @Test
    void eventFileParsesRecordByRecordWithValidCrcsAndValues() throws Exception {
        double[] clock = {1_700_000_000.25};
        Map<String, Double> r1 = new LinkedHashMap<>();
        r1.put("client_work/train/loss", 2.3061);
        r1.put("client_work/train/accuracy", 0.0799);
        r1.put("broadcasted_bits", 1.98e9);
        Path file;
        try (TensorBoardSink sink = new TensorBoardSink(dir, () -> clock[0])) {
            file = sink.file();
            clock[0] += 1.5;
            sink.write(1, r1);
            clock[0] += 1.5;
            sink.write(2, Map.of("client_work/train/loss", 1.5));
        }
        assertTrue(file.getFileName().toString().matches("events\\.out\\.tfevents\\.1700000000\\..+"), file.toString());

        List<byte[]> recs = records(Files.readAllBytes(file));
        assertEquals(3, recs.size());

        UnknownFieldSet first = UnknownFieldSet.parseFrom(recs.get(0));
        assertEquals(
                1_700_000_000.25,
                Double.longBitsToDouble(first.getField(1).getFixed64List().get(0)));
        assertEquals(
                "brain.Event:2",
                first.getField(3).getLengthDelimitedList().get(0).toStringUtf8());

        UnknownFieldSet second = UnknownFieldSet.parseFrom(recs.get(1));
        assertEquals(
                1_700_000_001.75,
                Double.longBitsToDouble(second.getField(1).getFixed64List().get(0)));
        assertEquals(1L, second.getField(2).getVarintList().get(0));
        UnknownFieldSet summary = UnknownFieldSet.parseFrom(
                second.getField(5).getLengthDelimitedList().get(0));
        List<ByteString> values = summary.getField(1).getLengthDelimitedList();
        assertEquals(3, values.size());
        Map<String, Float> decoded = new LinkedHashMap<>();
        for (ByteString v : values) {
            UnknownFieldSet value = UnknownFieldSet.parseFrom(v);
            decoded.put(
                    value.getField(1).getLengthDelimitedList().get(0).toStringUtf8(),
                    Float.intBitsToFloat(value.getField(2).getFixed32List().get(0)));
        }
        assertEquals(
                Map.of(
                        "client_work/train/loss",
                        2.3061f,
                        "client_work/train/accuracy",
                        0.0799f,
                        "broadcasted_bits",
                        1.98e9f),
                decoded);

        UnknownFieldSet third = UnknownFieldSet.parseFrom(recs.get(2));
        assertEquals(2L, third.getField(2).getVarintList().get(0));
    }

    /** The restart marker, read with TensorFlow's own generated {@code Event} and {@code SessionLog} classes. */
    @Test
    void resumeWritesTensorBoardsRestartMarkerAtTheNextStep() throws Exception {
        Path file;
        try (TensorBoardSink sink = new TensorBoardSink(dir, () -> 1_700_000_100.0)) {
            file = sink.file();
            sink.resumedAfter(3);
            sink.write(4, Map.of("loss", 0.5));
        }
        List<byte[]> recs = records(Files.readAllBytes(file));
        assertEquals(3, recs.size());
        org.tensorflow.proto.Event marker = org.tensorflow.proto.Event.parseFrom(recs.get(1));
        assertEquals(4L, marker.getStep());
        assertEquals(
                org.tensorflow.proto.SessionLog.SessionStatus.START,
                marker.getSessionLog().getStatus());
        assertEquals(1_700_000_100.0, marker.getWallTime());
        org.tensorflow.proto.Event round = org.tensorflow.proto.Event.parseFrom(recs.get(2));
        assertEquals(4L, round.getStep());
        assertEquals("loss", round.getSummary().getValue(0).getTag());
        assertEquals(0.5f, round.getSummary().getValue(0).getSimpleValue());
        assertEquals(
                "brain.Event:2",
                org.tensorflow.proto.Event.parseFrom(recs.get(0)).getFileVersion());
    }

    @Test
    void twoSinksInOneSecondGetDistinctFiles() {
        try (TensorBoardSink a = new TensorBoardSink(dir, () -> 5.0);
                TensorBoardSink b = new TensorBoardSink(dir, () -> 5.0)) {
            assertNotEquals(a.file(), b.file());
            assertTrue(b.file().getFileName().toString().startsWith("events.out.tfevents.0000000005."));
        }
    }

    @Test
    void corruptedByteIsCaughtByCrc() throws Exception {
        Path file;
        try (TensorBoardSink sink = new TensorBoardSink(dir)) {
            sink.write(0, Map.of("loss", 1.0));
            file = sink.file();
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 10] ^= 1;
        org.junit.jupiter.api.Assertions.assertThrows(org.opentest4j.AssertionFailedError.class, () -> records(bytes));
    }
}
