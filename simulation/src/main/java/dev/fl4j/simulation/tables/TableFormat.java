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
}
