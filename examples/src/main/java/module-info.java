/** Worked examples of the public API; each is also a {@code ./fl4j} task. */
module dev.fl4j.examples {
    requires transitive dev.fl4j.simulation;

    exports dev.fl4j.examples;
}
