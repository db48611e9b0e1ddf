/**
 * The {@code ./fl4j bench} suites, which check fl4j's speed and memory targets: how much of the
 * engine's raw training speed federated training keeps ({@link dev.fl4j.bench.TrainingBenchmark}), what
 * each encoder costs for the bits it saves ({@link dev.fl4j.bench.CompressionBenchmark}) and the heap a
 * round needs as the cohort grows ({@link dev.fl4j.bench.RoundMemory}). Each run also reports the CPU the
 * rest of the machine used ({@link dev.fl4j.bench.CpuUsage}), so figures taken on a busy machine show it.
 */
package dev.fl4j.bench;
