package dev.fl4j.simulation.datasets;

import java.nio.file.Path;

/**
 * Where fl4j caches datasets: the system property {@value #PROPERTY}, else the environment variable
 * {@value #ENV}, else {@code ~/.cache/fl4j/datasets}. Each dataset has a subdirectory.
 */
public final class DatasetDirs {

    /** System property naming the dataset cache directory. */
    public static final String PROPERTY = "fl4j.datasets.dir";
    /** Environment variable naming the dataset cache directory. */
    public static final String ENV = "FL4J_DATASETS_DIR";

    private DatasetDirs() {}

    /** The cache root now in force. */
    public static Path cacheRoot() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(ENV);
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "fl4j", "datasets");
    }

    /** The cache directory of dataset {@code name}. */
    public static Path cacheDir(String name) {
        return cacheRoot().resolve(name);
    }
}
