package dev.fl4j.simulation.tables;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The CSV writer behind {@link CsvFormat}: a header row, then one line per row, LF line ends. */
final class CsvWriter implements TableWriter {

    private final BufferedWriter out;
    private final List<TableColumn> columns;
    private final String[] cells;

    CsvWriter(Path file, List<TableColumn> columns) throws IOException {
        this.columns = List.copyOf(columns);
        this.cells = new String[columns.size()];
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        for (int i = 0; i < columns.size(); i++) {
            cells[i] = columns.get(i).name();
        }
        endRow();
    }

    @Override
    public void setString(int column, String value) {
        cells[column] = value;
    }

    @Override
    public void setFloat(int column, float value) {
        cells[column] = Float.toString(value);
    }

    @Override
    public void setInt(int column, int value) {
        cells[column] = Integer.toString(value);
    }

    @Override
    public void endRow() throws IOException {
        for (int i = 0; i < cells.length; i++) {
            if (cells[i] == null) {
                throw new IllegalStateException("column '" + columns.get(i).name() + "' was not set in this row");
            }
            if (i > 0) {
                out.write(',');
            }
            out.write(quoted(cells[i]));
            cells[i] = null;
        }
        out.write('\n');
    }

    static String quoted(String s) {
        boolean quote = !s.isEmpty() && (s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ');
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
