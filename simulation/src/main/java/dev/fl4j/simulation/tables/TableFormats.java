package dev.fl4j.simulation.tables;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/** Finds {@link TableFormat}s by name and lists the files of a table given as a file or a directory of parts. */
public final class TableFormats {

    private TableFormats() {}

    /**
     * The format called {@code name}: {@code csv}, or a registered service.
     *
     * @throws IllegalArgumentException naming the formats that are available, if none is called so
     */
    public static TableFormat named(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        List<String> known = new ArrayList<>(List.of(CsvFormat.NAME));
        if (n.equals(CsvFormat.NAME)) {
            return new CsvFormat();
        }
        for (TableFormat f : ServiceLoader.load(TableFormat.class, TableFormats.class.getClassLoader())) {
            if (f.name().equals(n)) {
                return f;
            }
            known.add(f.name());
        }
        String hint = n.equals("parquet") ? " (Parquet needs fl4j-data-parquet on the class path)" : "";
        throw new IllegalArgumentException(
                "no table format '" + name + "'" + hint + "; formats available: " + String.join(", ", known));
    }

    /**
     * The files of the table at {@code path}: the file itself, or the directory's files ending in
     * {@code .EXTENSION} sorted by name (part files, as Spark writes them; names starting with
     * {@code .} or {@code _} are skipped, as Spark skips them).
     *
     * @throws MalformedTableException if the path does not exist or the directory holds no such file
     */
    public static List<Path> files(Path path, TableFormat format) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new MalformedTableException(path, "no such file or directory");
        }
        String suffix = "." + format.extension();
        try (Stream<Path> s = Files.list(path)) {
            List<Path> parts = s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String f = p.getFileName().toString();
                        return f.endsWith(suffix) && !f.startsWith(".") && !f.startsWith("_");
                    })
                    .sorted()
                    .toList();
            if (parts.isEmpty()) {
                throw new MalformedTableException(path, "the directory holds no *" + suffix + " file");
            }
            return parts;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + path + ": " + e.getMessage(), e);
        }
    }
}
