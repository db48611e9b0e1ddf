package dev.fl4j.simulation.metrics;

import dev.fl4j.simulation.internal.ProtoWriter;
import dev.fl4j.simulation.internal.TfRecords;
import dev.fl4j.simulation.provenance.Provenance;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Metrics as a TensorBoard event file in {@code logDir}, named
 * {@code events.out.tfevents.<unix seconds, 10 digits>.<host>} (with {@code .1}, {@code .2} … added
 * if that name is taken), which TensorBoard reads as scalars, step = round.
 *
 * <p>Format: TFRecord framing ({@code uint64 length, masked CRC32C of the length, data, masked
 * CRC32C of the data}, little-endian) around {@code tensorflow.Event} protocol buffers, written
 * field by field: {@code wall_time} (1, double), {@code step} (2, int64), {@code file_version}
 * (3, string) and {@code summary} (5, {@code Summary}); a {@code Summary} holds repeated
 * {@code value} (1), each a {@code Summary.Value} with {@code tag} (1, string) and
 * {@code simple_value} (2, float). The first record is the event {@code file_version =
 * "brain.Event:2"}; then one event per round holding all of its metrics. Every record is flushed
 * when written, so TensorBoard can follow a running simulation.
 *
 * <p><b>Resumed runs</b> write into a new event file of the same directory, which TensorBoard reads
 * as one run together with the interrupted run's file. {@link #resumedAfter} first writes
 * TensorBoard's restart marker, an event with {@code step = round + 1} and {@code session_log}
 * (7, {@code SessionLog}) of {@code status} (1) {@code START} (1): TensorBoard then purges the
 * events of that step and later that the interrupted run wrote after its last checkpoint, as it does
 * for a TensorFlow job restarted from a checkpoint.
 *
 * <p><b>Provenance.</b> A sink given a {@link Provenance} writes it as the second event, at step 0: a
 * text summary TensorBoard shows in its Text tab, tag {@value #PROVENANCE_TAG}, a {@code Summary.Value}
 * with {@code metadata} (9, {@code SummaryMetadata} whose {@code plugin_data} (1) has {@code plugin_name}
 * (1) {@code "text"}) and {@code tensor} (8, a {@code TensorProto} of {@code dtype} (1) {@code DT_STRING}
 * (7), an empty {@code tensor_shape} (2) for a scalar, and {@code string_val} (8) holding
 * {@link Provenance#toJson()}). Each event file of a run, the resumed ones too, carries its own.
 */
public final class TensorBoardSink implements MetricsSink {

    /** The version string TensorBoard expects in the first event. */
    public static final String FILE_VERSION = "brain.Event:2";
    /** {@code SessionLog.SessionStatus.START}. */
    private static final int SESSION_START = 1;
    /** The tag of the provenance text summary. */
    public static final String PROVENANCE_TAG = "fl4j/provenance";
    /** {@code DataType.DT_STRING}. */
    private static final int DT_STRING = 7;

    private final Path file;
    private final OutputStream out;
    private final DoubleSupplier clock;

    /** An event file in {@code logDir}, wall times from the system clock. */
    public TensorBoardSink(Path logDir) {
        this(logDir, () -> System.currentTimeMillis() / 1000.0);
    }

    /** An event file in {@code logDir} recording {@code provenance}, wall times from the system clock. */
    public TensorBoardSink(Path logDir, Provenance provenance) {
        this(logDir, () -> System.currentTimeMillis() / 1000.0, Optional.of(provenance));
    }

    /** An event file in {@code logDir} with wall times (seconds since the epoch) from {@code clock}. */
    public TensorBoardSink(Path logDir, DoubleSupplier clock) {
        this(logDir, clock, Optional.empty());
    }

    /** An event file in {@code logDir} with wall times from {@code clock}, recording {@code provenance} if present. */
    public TensorBoardSink(Path logDir, DoubleSupplier clock, Optional<Provenance> provenance) {
        this.clock = clock;
        try {
            Files.createDirectories(logDir);
            double now = clock.getAsDouble();
            String base = String.format("events.out.tfevents.%010d.%s", (long) now, host());
            Path f = logDir.resolve(base);
            OutputStream o = null;
            for (int i = 1; o == null; i++) {
                try {
                    o = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    f = logDir.resolve(base + "." + i);
                }
            }
            this.file = f;
            this.out = o;
            record(new ProtoWriter().doubleField(1, now).string(3, FILE_VERSION));
            if (provenance.isPresent()) {
                record(new ProtoWriter()
                        .doubleField(1, now)
                        .int64(2, 0)
                        .message(5, new ProtoWriter().message(1, provenanceText(provenance.get()))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create a TensorBoard event file in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private static ProtoWriter provenanceText(Provenance provenance) {
        ProtoWriter metadata = new ProtoWriter().message(1, new ProtoWriter().string(1, "text"));
        ProtoWriter tensor = new ProtoWriter()
                .int64(1, DT_STRING)
                .message(2, new ProtoWriter())
                .bytes(8, provenance.toJson().getBytes(StandardCharsets.UTF_8));
        return new ProtoWriter().string(1, PROVENANCE_TAG).message(9, metadata).message(8, tensor);
    }

    private static String host() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h == null || h.isBlank() ? "localhost" : h;
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The event file being written. */
    public Path file() {
        return file;
    }

    @Override
    public void write(int round, Map<String, Double> metrics) {
        MetricsSink.check(round, metrics);
        ProtoWriter summary = new ProtoWriter();
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            summary.message(
                    1,
                    new ProtoWriter()
                            .string(1, e.getKey())
                            .floatField(2, e.getValue().floatValue()));
        }
        try {
            record(new ProtoWriter()
                    .doubleField(1, clock.getAsDouble())
                    .int64(2, round)
                    .message(5, summary));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void resumedAfter(int round) {
        try {
            record(new ProtoWriter()
                    .doubleField(1, clock.getAsDouble())
                    .int64(2, round + 1L)
                    .message(7, new ProtoWriter().int64(1, SESSION_START)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write to " + file + ": " + e.getMessage(), e);
        }
    }

    private void record(ProtoWriter event) throws IOException {
        out.write(TfRecords.frame(event.toByteArray()));
        out.flush();
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close " + file + ": " + e.getMessage(), e);
        }
    }
}
