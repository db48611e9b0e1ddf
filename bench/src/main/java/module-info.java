/** The {@code ./fl4j bench} suites: end-to-end measurements of training speed, compression and round memory. */
module dev.fl4j.bench {
    requires transitive dev.fl4j.simulation;
    requires dev.fl4j.learning.tensorflow;
    requires java.management;
    requires jdk.management;

    exports dev.fl4j.bench;
}
