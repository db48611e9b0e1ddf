package dev.fl4j.simulation.tables;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The streaming CSV reader behind {@link CsvFormat}: one row in memory, positions counted in lines. */
final class CsvReader implements TableReader {

    static final int MAX_FIELD_CHARS = 1 << 20;
    static final int MAX_COLUMNS = 100_000;

    private final Path file;
    private final Reader in;
    private final char[] buffer = new char[1 << 16];
    private int position;
    private int limit;
    private boolean eof;
    private long line = 1;
    private long recordLine;
    private final StringBuilder field = new StringBuilder();
    private List<TableColumn> columns;
    private String[] cells;
    private long pendingEmptyLine = -1;

    private CsvReader(Path file, Reader in) {
        this.file = file;
        this.in = in;
    }

    static CsvReader open(Path file) throws IOException {
        Reader in = new java.io.InputStreamReader(
                Files.newInputStream(file),
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT));
        CsvReader r = new CsvReader(file, in);
        try {
            r.readHeader();
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private void readHeader() throws IOException {
        if (peek() == '\uFEFF') {
            position++;
        }
        List<String> names = readRecord(MAX_COLUMNS);
        if (names == null) {
            throw new MalformedTableException(file, "empty file: a CSV table needs a header row");
        }
        List<TableColumn> cs = new ArrayList<>(names.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n.isEmpty()) {
                throw new MalformedTableException(file, "line 1", "header column " + (i + 1) + " has no name");
            }
            if (!seen.add(n)) {
                throw new MalformedTableException(file, "line 1", "header names column '" + n + "' twice");
            }
            cs.add(new TableColumn(n, TableColumn.Kind.TEXT));
        }
        columns = List.copyOf(cs);
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public List<TableColumn> columns() {
        return columns;
    }

    @Override
    public boolean next() throws IOException {
        while (true) {
            List<String> record = readRecord(columns.size());
            if (record == null) {
                cells = null;
                return false; // trailing empty lines (pendingEmptyLine) are the file's end, not rows
            }
            if (record.size() == 1 && record.get(0).isEmpty() && !lastFieldQuoted) {
                if (pendingEmptyLine < 0) {
                    pendingEmptyLine = recordLine;
                }
                continue;
            }
            if (pendingEmptyLine >= 0) {
                throw new MalformedTableException(
                        file, "line " + pendingEmptyLine, "empty line (expected " + columns.size() + " columns)");
            }
            if (record.size() != columns.size()) {
                throw new MalformedTableException(
                        file,
                        where(),
                        record.size() + " column" + (record.size() == 1 ? "" : "s") + ", the header has "
                                + columns.size());
            }
            cells = record.toArray(String[]::new);
            return true;
        }
    }

    @Override
    public String where() {
        return "line " + recordLine;
    }

    @Override
    public boolean isMissing(int column) {
        return cells[column].isEmpty();
    }

    @Override
    public float number(int column) {
        String s = cells[column];
        float v = parseNumber(s);
        if (v == v || isNaNText(s)) {
            return v;
        }
        throw new MalformedTableException(
                file, where(), "column '" + columns.get(column).name() + "': '" + abbreviate(s) + "' is not a number");
    }

    @Override
    public String text(int column) {
        return cells[column];
    }

    /** A decimal number ([+-]digits[.digits][(e|E)[+-]digits]), NaN or infinity; NaN with no such text. */
    static float parseNumber(String s) {
        switch (s) {
            case "NaN", "nan" -> {
                return Float.NaN;
            }
            case "Infinity", "inf", "+Infinity", "+inf" -> {
                return Float.POSITIVE_INFINITY;
            }
            case "-Infinity", "-inf" -> {
                return Float.NEGATIVE_INFINITY;
            }
            default -> {}
        }
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return Float.NaN;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponent = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exponent++;
            }
            if (exponent == 0) {
                return Float.NaN;
            }
        }
        return i == n ? Float.parseFloat(s) : Float.NaN;
    }

    static boolean isNaNText(String s) {
        return s.equals("NaN") || s.equals("nan");
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private boolean lastFieldQuoted;

    /**
     * The next record's fields, or null at the end of the file; stops with an error past
     * {@code maxFields} fields (a row longer than the header is malformed whatever follows).
     */
    private List<String> readRecord(int maxFields) throws IOException {
        if (peek() < 0) {
            return null;
        }
        recordLine = line;
        List<String> fields = new ArrayList<>();
        while (true) {
            field.setLength(0);
            lastFieldQuoted = false;
            int c = peek();
            if (c == '"') {
                position++;
                lastFieldQuoted = true;
                readQuoted();
                c = peek();
                if (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                    throw new MalformedTableException(
                            file, "line " + line, "'" + (char) c + "' after the closing quote of a field");
                }
            } else {
                while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                    if (c == '"') {
                        throw new MalformedTableException(
                                file, "line " + line, "a quote inside an unquoted field (quote the whole field)");
                    }
                    append((char) c);
                    position++;
                    c = peek();
                }
            }
            if (fields.size() == maxFields) {
                throw new MalformedTableException(
                        file,
                        "line " + recordLine,
                        "more than " + maxFields + " columns"
                                + (columns == null ? "" : ", the header has " + columns.size()));
            }
            fields.add(field.toString());
            if (c == ',') {
                position++;
                continue;
            }
            if (c == '\r') {
                position++;
                if (peek() == '\n') {
                    position++;
                }
                line++;
            } else if (c == '\n') {
                position++;
                line++;
            }
            return fields;
        }
    }

    private void readQuoted() throws IOException {
        long start = line;
        while (true) {
            int c = peek();
            if (c < 0) {
                throw new MalformedTableException(
                        file, "line " + start, "a quoted field is not closed before the end of the file");
            }
            position++;
            if (c == '"') {
                if (peek() == '"') {
                    position++;
                    append('"');
                    continue;
                }
                return;
            }
            if (c == '\n' || (c == '\r' && peek() != '\n')) {
                line++;
            }
            append((char) c);
        }
    }

    private void append(char c) {
        if (field.length() == MAX_FIELD_CHARS) {
            throw new MalformedTableException(
                    file, "line " + recordLine, "a field longer than " + MAX_FIELD_CHARS + " characters");
        }
        field.append(c);
    }

    private int peek() throws IOException {
        if (position < limit) {
            return buffer[position];
        }
        if (eof) {
            return -1;
        }
        try {
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                eof = true;
                return -1;
            }
            position = 0;
            limit = n;
            return n == 0 ? peek() : buffer[0];
        } catch (CharacterCodingException e) {
            throw new MalformedTableException(file, "line " + line, "not UTF-8 text (" + e + ")");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
