package dev.fl4j.spark;

import dev.fl4j.core.runtime.FederatedRuntime;
import dev.fl4j.core.runtime.RuntimeProvider;

/**
 * {@code --runtime spark[:MASTER]}: a {@link SparkRuntime} on a Spark context it starts with the
 * given master ({@code local[*]} when none, e.g. {@code spark:local[2]} or
 * {@code spark:spark://host:7077}) and stops when closed. Spark logs warnings and errors only,
 * unless {@code -Dlog4j2.configurationFile} names another configuration.
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
        if (System.getProperty(LOG_CONFIG_PROPERTY) == null) {
            System.setProperty(LOG_CONFIG_PROPERTY, QUIET_LOG_CONFIG);
        }
        return SparkRuntime.builder().optMaster(master).build();
    }
}
