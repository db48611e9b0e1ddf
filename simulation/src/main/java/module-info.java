/**
 * Simulation of federated training on one machine: datasets and their partition into clients, the
 * training loop, checkpoints and metrics. jHDF and XChart are read as automatic modules (they have
 * no descriptor; jHDF names itself {@code io.jhdf}, XChart's name {@code xchart} comes from its file name).
 */
module dev.fl4j.simulation {
    requires transitive dev.fl4j.core;
    requires transitive dev.fl4j.learning;
    requires com.fasterxml.jackson.core;
    requires io.jhdf;
    requires xchart;
    requires java.desktop;
    requires java.net.http;

    exports dev.fl4j.simulation.checkpoint;
    exports dev.fl4j.simulation.data;
    exports dev.fl4j.simulation.datasets;
    exports dev.fl4j.simulation.export;
    exports dev.fl4j.simulation.io;
    exports dev.fl4j.simulation.metrics;
    exports dev.fl4j.simulation.partition;
    exports dev.fl4j.simulation.provenance;
    exports dev.fl4j.simulation.tables;
    exports dev.fl4j.simulation.training;

    uses dev.fl4j.simulation.tables.TableFormat;
}
