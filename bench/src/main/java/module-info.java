/**
 * The {@code ./fl4j bench} suites: end-to-end measurements of training speed, compression, round memory and secure
 * aggregation.
 */
module dev.fl4j.bench {
    requires transitive dev.fl4j.simulation;
    requires dev.fl4j.learning.tensorflow;
    requires dev.fl4j.secagg;
    requires dev.fl4j.deploy;
    requires java.management;
    requires jdk.management;

    exports dev.fl4j.bench;
}
