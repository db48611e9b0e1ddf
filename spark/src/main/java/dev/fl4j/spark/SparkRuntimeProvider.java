package dev.fl4j.spark;

import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.RuntimeProvider;

/**
 * {@code --runtime spark[:MASTER]}: a {@link SparkRuntime} on a Spark context it starts with the
 * given master ({@code local[*]} when none, e.g. {@code spark:local[2]} or
 * {@code spark:spark://host:7077}) and stops when closed. A master that is not local needs the
 * Spark configuration {@code spark.fl4j.stateDir} (a system property {@code -Dspark.fl4j.stateDir=URI},
 * or {@code spark-submit --conf}): where client state lives, on storage every executor reaches. Spark
 * logs warnings and errors only, unless {@code -Dlog4j2.configurationFile} names another configuration.
 */
public final class SparkRuntimeProvider implements RuntimeProvider {

    /** Log4j 2's property naming its configuration; when unset, Spark started here logs warnings only. */
    static final String LOG_CONFIG_PROPERTY = "log4j2.configurationFile";

    /** The class-path resource of that warnings-only configuration. */
    static final String QUIET_LOG_CONFIG = "dev/fl4j/spark/log4j2-quiet.properties";

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public String argumentHelp() {
        return "MASTER, e.g. local[2] or spark://host:7077; default local[*]";
    }

    @Override
    public FederatedRuntime open(String argument, int workers) {
        String master = argument == null ? "local[*]" : argument;
        if (master.isBlank()) {
            throw new IllegalArgumentException("spark: the master after 'spark:' is empty; give e.g. local[2]");
        }
        if (!SparkRuntime.isLocalMaster(master)
                && SparkRuntime.defaultConf(master).get(ClusterClientStates.STATE_DIR_CONF, null) == null) {
            throw new IllegalArgumentException("spark:" + master + " runs executors in JVMs of their own, perhaps on"
                    + " other machines, and client state (error feedback, SCAFFOLD) lives in files the driver and every"
                    + " executor read: name a directory on storage they all reach (HDFS, or a mount shared at the same"
                    + " path) as the Spark configuration " + ClusterClientStates.STATE_DIR_CONF + ", e.g."
                    + " FL4J_JAVA_OPTS=-D" + ClusterClientStates.STATE_DIR_CONF + "=hdfs://NAMENODE/fl4j-state, or"
                    + " spark-submit --conf " + ClusterClientStates.STATE_DIR_CONF + "=URI (on one machine, a file:"
                    + " URI of a local directory will do)");
        }
        if (System.getProperty(LOG_CONFIG_PROPERTY) == null) {
            System.setProperty(LOG_CONFIG_PROPERTY, QUIET_LOG_CONFIG);
        }
        return SparkRuntime.builder().optMaster(master).build();
    }
}
