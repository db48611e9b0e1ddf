/**
 * A federated runtime on Apache Spark ({@link dev.fl4j.spark.SparkRuntime}): client work in
 * executor tasks, rebuilt from computation descriptors, folded in client order on the driver so
 * results are bitwise those of the local runtime.
 */
package dev.fl4j.spark;
