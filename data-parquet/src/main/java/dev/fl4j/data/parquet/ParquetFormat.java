package dev.fl4j.data.parquet;

import dev.fl4j.simulation.tables.TableClients;
import dev.fl4j.simulation.tables.TableColumn;
import dev.fl4j.simulation.tables.TableFormat;
import dev.fl4j.simulation.tables.TableOptions;
import dev.fl4j.simulation.tables.TableReader;
import dev.fl4j.simulation.tables.TableWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Parquet files as tables: flat schemas of required or optional primitive columns. {@code boolean},
 * {@code int32} and {@code int64} columns are {@link TableColumn.Kind#INT}, {@code float} and
 * {@code double} are {@link TableColumn.Kind#FLOAT}, {@code binary} annotated as a string (or enum) is
 * {@link TableColumn.Kind#STRING}; a nested, repeated or other column is refused, naming it. A null is a
 * missing cell. Rows are read one row group at a time, each column through its own column reader, so
 * memory holds one row group's pages, not the file. Written files have required columns, one row group
 * per 64 MiB, and are Snappy-compressed as Spark writes them.
 *
 * <p>Positions in messages are {@code row N}, counting the file's rows from 1.
 */
public final class ParquetFormat implements TableFormat {

    /** The format's name. */
    public static final String NAME = "parquet";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String extension() {
        return "parquet";
    }

    @Override
    public TableReader open(Path file) throws IOException {
        return ParquetTableReader.open(file);
    }

    /**
     * The clients of a Parquet table as a {@link ParquetClients} population: indexed by one scan of
     * the client column, each client's rows read where it is loaded.
     */
    @Override
    public TableClients openClients(Path path, TableOptions options, int batch) throws IOException {
        return ParquetClients.open(path, options, batch);
    }

    @Override
    public TableWriter create(Path file, List<TableColumn> columns) throws IOException {
        return ParquetTableWriter.create(file, columns);
    }
}
