package dev.fl4j.data.parquet;

/**
 * One column of a row group, read forward row by row: {@link ParquetTableReader} keeps one for each
 * column it reads. A cursor either decodes the next row's cell into {@link Cells} or moves past rows
 * without decoding them; how cheaply it moves past them is what tells the implementations apart.
 */
interface ColumnCursor {

    /** Moves past the next {@code rows} rows without decoding them. */
    void skip(long rows);

    /** Decodes the next row's cell into {@code cells} at {@code column}, and moves past it. */
    void read(Cells cells, int column);

    /** The decoded cells of one row, by column: a cell is missing, or one of a number or a string. */
    final class Cells {
        final boolean[] missing;
        final double[] floats;
        final long[] ints;
        final String[] strings;

        Cells(int columns) {
            missing = new boolean[columns];
            floats = new double[columns];
            ints = new long[columns];
            strings = new String[columns];
        }
    }
}
