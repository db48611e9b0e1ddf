package dev.fl4j.simulation.tables;

import java.util.Objects;

/**
 * A column of a table: its name and what its cells hold.
 *
 * @param name the header name
 * @param kind {@link Kind#TEXT} for untyped text (CSV), else the stored type
 */
public record TableColumn(String name, Kind kind) {

    /** What a column's cells hold. */
    public enum Kind {
        /** Untyped text (every CSV column): numeric or categorical as the reader's options say. */
        TEXT,
        /** Strings (Parquet {@code binary (STRING)}): categorical. */
        STRING,
        /** Floating-point numbers (Parquet {@code float}, {@code double}). */
        FLOAT,
        /** Integers (Parquet {@code int32}, {@code int64}, {@code boolean}). */
        INT
    }

    public TableColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
    }
}
