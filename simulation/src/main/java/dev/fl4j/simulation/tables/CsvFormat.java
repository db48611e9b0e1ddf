package dev.fl4j.simulation.tables;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * CSV as RFC 4180 writes it: a header row of unique, non-empty column names, then one row per
 * example; fields separated by commas, optionally in double quotes (a quote inside is doubled, and a
 * quoted field may hold commas and line breaks); lines end in LF or CRLF; UTF-8, with an optional
 * byte-order mark. Every row must have the header's column count; an empty line is a malformed row
 * unless only empty lines follow it (a file's trailing blank lines). Cells are untyped
 * ({@link TableColumn.Kind#TEXT}). Read as a stream: the reader holds one row (a field may be at most
 * {@value CsvReader#MAX_FIELD_CHARS} characters, a header at most {@value CsvReader#MAX_COLUMNS}
 * columns).
 *
 * <p>The writer quotes a field only when it must (a comma, quote, line break, or space at either
 * end) and writes floats as {@link Float#toString(float)} does, the shortest text that reads back as
 * the same float, so a table round-trips bit for bit.
 */
public final class CsvFormat implements TableFormat {

    /** The format's name. */
    public static final String NAME = "csv";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String extension() {
        return "csv";
    }

    @Override
    public TableReader open(Path file) throws IOException {
        return CsvReader.open(file);
    }

    @Override
    public TableWriter create(Path file, List<TableColumn> columns) throws IOException {
        return new CsvWriter(file, columns);
    }
}
