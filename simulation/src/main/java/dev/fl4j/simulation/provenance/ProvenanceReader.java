package dev.fl4j.simulation.provenance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.simulation.checkpoint.CheckpointException;
import dev.fl4j.simulation.checkpoint.CheckpointFormat;
import dev.fl4j.simulation.internal.TfRecords;
import dev.fl4j.simulation.metrics.CsvMetricsSink;
import dev.fl4j.simulation.metrics.JsonLinesMetricsSink;
import dev.fl4j.simulation.metrics.MetricsPlot;
import dev.fl4j.simulation.metrics.TensorBoardSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Finds the {@link Provenance} in any artefact fl4j writes, telling the kind of file from its content, not its name:
 * a checkpoint by its {@code FL4JCKPT} magic, a PNG by its signature, a TensorBoard event file by a first TFRecord
 * whose length CRC checks, JSON lines by a first line that is a JSON object, and a CSV table by a first line that is
 * fl4j's provenance comment or a header starting with {@code round}.
 *
 * <p>The bytes come from untrusted files: every length is checked against what remains before it is used, CRCs are
 * verified, and only the head of a metrics file is read ({@link #HEAD_BYTES}); anything that does not follow its
 * format ends in a {@link MalformedDataException} saying what was expected, what came and where.
 */
public final class ProvenanceReader {

    /** How much of a file {@link #read} needs, except a checkpoint, which is read whole. */
    public static final int HEAD_BYTES = 16 << 20;
    /** The TensorBoard records searched for the provenance summary (fl4j writes it second). */
    static final int TENSORBOARD_RECORDS = 16;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final JsonFactory JSON = new JsonFactory();

    private ProvenanceReader() {}

    /** The kinds of file fl4j writes. */
    public enum Kind {
        CHECKPOINT("fl4j checkpoint"),
        CSV("CSV metrics table"),
        JSON_LINES("JSON-lines metrics"),
        TENSORBOARD("TensorBoard event file"),
        PNG("PNG chart"),
        /** A model directory {@code dev.fl4j.simulation.export.ModelExport} wrote, not a file. */
        EXPORTED_MODEL("exported model (TensorFlow SavedModel directory)");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** How the kind is named to people. */
        public String description() {
            return description;
        }
    }

    /**
     * What a file is and the provenance it records: none (written by an fl4j before provenance, or without one), one,
     * or one per run for a chart of several runs.
     */
    public record Found(Kind kind, List<Provenance> provenance) {
        public Found {
            provenance = List.copyOf(provenance);
        }
    }

    /**
     * The kind of {@code bytes} and its provenance; empty if the bytes are of no kind fl4j writes. {@code bytes} is the
     * whole file for a checkpoint or a PNG and at least its first {@link #HEAD_BYTES} for the others ({@code whole}
     * says whether it is all of it); {@code file} only names the source in errors.
     *
     * @throws MalformedDataException if the file is of a known kind but damaged, or its provenance is malformed
     */
    public static Optional<Found> read(byte[] bytes, boolean whole, Path file) {
        if (startsWith(bytes, CheckpointFormat.MAGIC)) {
            if (!whole) {
                throw new MalformedDataException(file + ": a checkpoint must be read whole");
            }
            try {
                return Optional.of(new Found(
                        Kind.CHECKPOINT,
                        CheckpointFormat.decode(bytes, file).provenance().stream()
                                .toList()));
            } catch (CheckpointException e) {
                throw new MalformedDataException(e.getMessage(), e);
            }
        }
        if (startsWith(bytes, PNG_SIGNATURE)) {
            return Optional.of(new Found(Kind.PNG, png(bytes, whole, file)));
        }
        if (looksLikeTfRecord(bytes)) {
            return Optional.of(new Found(Kind.TENSORBOARD, tensorBoard(bytes, file)));
        }
        String firstLine = firstLine(bytes, file);
        if (firstLine.startsWith(CsvMetricsSink.PROVENANCE_PREFIX)) {
            return Optional.of(new Found(
                    Kind.CSV,
                    List.of(parse(firstLine.substring(CsvMetricsSink.PROVENANCE_PREFIX.length()), file, "line 1"))));
        }
        if (firstLine.startsWith("round,") || firstLine.equals("round")) {
            return Optional.of(new Found(Kind.CSV, List.of()));
        }
        if (firstLine.startsWith("{")) {
            return Optional.of(new Found(Kind.JSON_LINES, jsonLines(firstLine, file)));
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static Provenance parse(String json, Path file, String where) {
        try {
            return Provenance.fromJson(json);
        } catch (MalformedDataException e) {
            throw new MalformedDataException(file + " " + where + ": " + e.getMessage(), e);
        }
    }

    /** The first line without its line break; it must end within the head read. */
    private static String firstLine(byte[] bytes, Path file) {
        int end = 0;
        while (end < bytes.length && bytes[end] != '\n') {
            end++;
        }
        if (end == bytes.length && bytes.length >= HEAD_BYTES) {
            throw new MalformedDataException(file + ": the first line is longer than " + HEAD_BYTES + " bytes");
        }
        if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** A first line of JSON lines: the provenance object, or a round (no provenance). */
    private static List<Provenance> jsonLines(String line, Path file) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME) {
                throw new MalformedDataException(file + " line 1 is not a JSON object with fields");
            }
            if (!JsonLinesMetricsSink.PROVENANCE_FIELD.equals(p.currentName())) {
                return List.of();
            }
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedDataException(file + " line 1: field '" + JsonLinesMetricsSink.PROVENANCE_FIELD
                        + "' is " + p.currentToken() + ", expected an object");
            }
            int start = (int) p.currentTokenLocation().getCharOffset();
            p.skipChildren();
            int end = (int) p.currentLocation().getCharOffset();
            if (p.nextToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new MalformedDataException(file + " line 1: a provenance line holds only the field '"
                        + JsonLinesMetricsSink.PROVENANCE_FIELD + "'");
            }
            return List.of(parse(line.substring(start, end), file, "line 1"));
        } catch (IOException e) {
            throw new MalformedDataException(file + " line 1 is not valid JSON: " + e.getMessage(), e);
        }
    }

    // ---- PNG: signature, then chunks of length:u32 type:4 data crc32(type+data), big-endian, up to IEND

    private static List<Provenance> png(byte[] bytes, boolean whole, Path file) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        in.position(PNG_SIGNATURE.length);
        List<Provenance> found = new ArrayList<>();
        while (true) {
            int at = in.position();
            if (in.remaining() < 12) {
                throw new MalformedDataException(file + ": PNG chunk at offset " + at + " is truncated"
                        + (whole ? "" : " (the PNG is longer than the " + HEAD_BYTES + " bytes read)"));
            }
            long length = Integer.toUnsignedLong(in.getInt());
            if (length > in.remaining() - 8L) {
                throw new MalformedDataException(file + ": PNG chunk at offset " + at + " announces " + length
                        + " bytes but " + (in.remaining() - 8) + " follow");
            }
            byte[] typeAndData = new byte[4 + (int) length];
            in.get(typeAndData);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            if ((int) crc.getValue() != in.getInt()) {
                throw new MalformedDataException(file + ": PNG chunk at offset " + at + " fails its CRC");
            }
            String type = new String(typeAndData, 0, 4, StandardCharsets.ISO_8859_1);
            if (type.equals("tEXt")) {
                int nul = 4;
                while (nul < typeAndData.length && typeAndData[nul] != 0) {
                    nul++;
                }
                if (nul == typeAndData.length) {
                    throw new MalformedDataException(
                            file + ": PNG tEXt chunk at offset " + at + " has no keyword terminator");
                }
                String keyword = new String(typeAndData, 4, nul - 4, StandardCharsets.ISO_8859_1);
                if (keyword.equals(MetricsPlot.PROVENANCE_KEYWORD)) {
                    String text =
                            new String(typeAndData, nul + 1, typeAndData.length - nul - 1, StandardCharsets.ISO_8859_1);
                    found.add(parse(text, file, "PNG tEXt chunk at offset " + at));
                }
            }
            if (type.equals("IEND")) {
                return found;
            }
        }
    }

    // ---- TensorBoard: TFRecords (length:u64 masked-crc32c(length) data masked-crc32c(data), little-endian) of Event
    // protos

    private static boolean looksLikeTfRecord(byte[] bytes) {
        return bytes.length >= 12
                && TfRecords.maskedCrc(bytes, 0, 8)
                        == ByteBuffer.wrap(bytes, 8, 4)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .getInt();
    }

    private static List<Provenance> tensorBoard(byte[] bytes, Path file) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int record = 0; record < TENSORBOARD_RECORDS && in.hasRemaining(); record++) {
            int at = in.position();
            if (in.remaining() < 12) {
                throw new MalformedDataException(file + ": TFRecord " + record + " at offset " + at + " is truncated");
            }
            long length = in.getLong();
            if (TfRecords.maskedCrc(bytes, at, 8) != in.getInt()) {
                throw new MalformedDataException(
                        file + ": TFRecord " + record + " at offset " + at + " fails its length CRC");
            }
            if (length < 0 || length > in.remaining() - 4L) {
                throw new MalformedDataException(file + ": TFRecord " + record + " at offset " + at + " announces "
                        + Long.toUnsignedString(length) + " bytes but " + Math.max(0, in.remaining() - 4) + " follow");
            }
            int start = in.position();
            in.position(start + (int) length);
            if (TfRecords.maskedCrc(bytes, start, (int) length) != in.getInt()) {
                throw new MalformedDataException(
                        file + ": TFRecord " + record + " at offset " + at + " fails its data CRC");
            }
            String where = file + ": event " + record + " (offset " + at + ")";
            Optional<String> json = provenanceSummary(new ProtoReader(bytes, start, (int) length, where));
            if (json.isPresent()) {
                return List.of(parse(json.get(), file, "event " + record));
            }
        }
        return List.of();
    }

    /** The text of an Event's summary value tagged {@link TensorBoardSink#PROVENANCE_TAG}, if it has one. */
    private static Optional<String> provenanceSummary(ProtoReader event) {
        while (event.hasMore()) {
            int field = event.field();
            if (field != 5 || event.wireType() != ProtoReader.LENGTH_DELIMITED) {
                event.skip();
                continue;
            }
            ProtoReader summary = event.message();
            while (summary.hasMore()) {
                int f = summary.field();
                if (f != 1 || summary.wireType() != ProtoReader.LENGTH_DELIMITED) {
                    summary.skip();
                    continue;
                }
                Optional<String> text = taggedText(summary.message());
                if (text.isPresent()) {
                    return text;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> taggedText(ProtoReader value) {
        String tag = null;
        String text = null;
        while (value.hasMore()) {
            int f = value.field();
            if (f == 1 && value.wireType() == ProtoReader.LENGTH_DELIMITED) {
                tag = new String(value.bytes(), StandardCharsets.UTF_8);
            } else if (f == 8 && value.wireType() == ProtoReader.LENGTH_DELIMITED) {
                ProtoReader tensor = value.message();
                while (tensor.hasMore()) {
                    if (tensor.field() == 8 && tensor.wireType() == ProtoReader.LENGTH_DELIMITED) {
                        text = new String(tensor.bytes(), StandardCharsets.UTF_8);
                    } else {
                        tensor.skip();
                    }
                }
            } else {
                value.skip();
            }
        }
        if (!TensorBoardSink.PROVENANCE_TAG.equals(tag)) {
            return Optional.empty();
        }
        if (text == null) {
            throw new MalformedDataException(
                    value.where() + ": summary '" + TensorBoardSink.PROVENANCE_TAG + "' holds no string tensor");
        }
        return Optional.of(text);
    }
}
