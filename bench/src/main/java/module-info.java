/** Benchmarks: the {@code ./fl4j bench} suites and the JMH microbenchmarks (JMH is read as the automatic module {@code jmh.core}). */
module dev.fl4j.bench {
    requires transitive dev.fl4j.simulation;
    requires dev.fl4j.learning.tensorflow;
    requires jmh.core;
    requires java.management;
    requires jdk.management;

    exports dev.fl4j.bench;
    exports dev.fl4j.bench.jmh;
}
