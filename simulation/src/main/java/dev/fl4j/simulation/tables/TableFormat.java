package dev.fl4j.simulation.tables;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A file format for tables: reads one file as a {@link TableReader} and writes one with a
 * {@link TableWriter}. CSV is built in ({@link CsvFormat}); other formats are services registered in
 * {@code META-INF/services/dev.fl4j.simulation.tables.TableFormat} and found by name through
 * {@link TableFormats#named(String)}: {@code fl4j-data-parquet} registers {@code parquet}, so its
 * dependencies stay out of the modules and commands that read no Parquet.
 *
 * <p>Implementations are public, have a public no-argument constructor and are thread-safe (readers
 * and writers themselves are not).
 */
public interface TableFormat {

    /** The name in {@code --dataset NAME:PATH} and {@code --format NAME}, e.g. {@code csv}. */
    String name();

    /** The extension of this format's files, without the dot ({@code csv}, {@code parquet}). */
    String extension();

    /**
     * Opens {@code file} and reads its header.
     *
     * @throws MalformedTableException if the file is not of this format or its header is malformed
     */
    TableReader open(Path file) throws IOException;

    /** Creates {@code file} (replacing it) with {@code columns}. */
    TableWriter create(Path file, List<TableColumn> columns) throws IOException;

    /**
     * The clients of a table with a client column ({@code path} a file, or a directory of part files),
     * indexed but not read: only the client column is scanned, and a client's rows are read when its
     * data is loaded, where it trains (its loader is a
     * {@link dev.fl4j.core.runtime.PortableClientLoader}). For populations too large to hold; the
     * examples are those {@link Tables#read} makes, each client's examples in batches of {@code batch}
     * (the last may be smaller; 0 for one example per element).
     *
     * @throws UnsupportedOperationException if this format cannot (the default)
     * @throws MalformedTableException if the table is malformed, or not of the form this format's
     *     population reads (each format says which)
     */
    default TableClients openClients(Path path, TableOptions options, int batch) throws IOException {
        throw new UnsupportedOperationException("the " + name()
                + " table format has no client population read where clients train; read it with" + " Tables.read");
    }
}
