/**
 * Parquet tables for fl4j's data sets: {@link dev.fl4j.data.parquet.ParquetFormat}, the
 * {@code parquet} {@link dev.fl4j.simulation.tables.TableFormat} (registered as a service, so
 * {@code --dataset parquet:PATH} and {@code fl4j data export --format parquet} find it), read and
 * written with parquet-java over {@code java.nio} files, without Hadoop or a Spark session. The Spark
 * runtime reads and writes its Parquet client data with the same classes.
 */
package dev.fl4j.data.parquet;
