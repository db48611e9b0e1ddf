/**
 * Tabular data sets: tables with a header of named columns (CSV here, Parquet through the
 * {@link dev.fl4j.simulation.tables.TableFormat} service that {@code fl4j-data-parquet} registers),
 * read row by row into fl4j examples {@code <x=float32[...], y=int32>}, grouped by a client-id
 * column for data that is already federated or kept whole for a partitioner, and written back with a
 * client-id column ({@link dev.fl4j.simulation.tables.TableExport}). Every malformed row is reported
 * with its file and line (or row) in a {@link dev.fl4j.simulation.tables.MalformedTableException};
 * none is skipped.
 */
package dev.fl4j.simulation.tables;
