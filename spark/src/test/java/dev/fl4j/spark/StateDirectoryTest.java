package dev.fl4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkContext$;
import org.junit.jupiter.api.Test;

/**
 * Where client state lives: a driver's temporary directory only on a local master; any other master
 * without a state directory (builder or {@code spark.fl4j.stateDir}) is refused before a Spark context
 * is started, naming what to set.
 */
class StateDirectoryTest {

    @Test
    void aMasterThatIsNotLocalNeedsAStateDirectoryAndNoContextIsStarted() {
        boolean activeBefore = SparkContext$.MODULE$.getActive().isDefined();
        IllegalStateException built = assertThrows(
                IllegalStateException.class,
                () -> SparkRuntime.builder().optMaster("spark://127.0.0.1:9").build());
        assertTrue(
                built.getMessage().startsWith("optStateDirectory: master spark://127.0.0.1:9")
                        && built.getMessage().contains(ClusterClientStates.STATE_DIR_CONF),
                built.getMessage());
        IllegalArgumentException opened = assertThrows(
                IllegalArgumentException.class, () -> new SparkRuntimeProvider().open("local-cluster[2,1,512]", 2));
        assertTrue(
                opened.getMessage().startsWith("spark:local-cluster[2,1,512] runs executors in JVMs of their own")
                        && opened.getMessage().contains("FL4J_JAVA_OPTS=-Dspark.fl4j.stateDir="),
                opened.getMessage());
        assertEquals(activeBefore, SparkContext$.MODULE$.getActive().isDefined(), "no Spark context was started");
    }

    @Test
    void onlyLocalMastersRunEveryExecutorInTheDriversJvm() {
        for (String local : new String[] {"local", "local[2]", "local[*]", "local[2,3]"}) {
            assertTrue(SparkRuntime.isLocalMaster(local), local);
        }
        for (String other : new String[] {"spark://h:7077", "local-cluster[2,1,512]", "yarn", "k8s://h:443"}) {
            assertFalse(SparkRuntime.isLocalMaster(other), other);
        }
    }

    @Test
    void aLocalMasterDefaultsToATemporaryDirectoryDeletedOnClose() {
        Path dir;
        try (SparkRuntime rt = SparkRuntime.builder().optMaster("local[1]").build()) {
            dir = Path.of(java.net.URI.create(rt.clusterStates().directory()));
            assertTrue(Files.isDirectory(dir), dir.toString());
            assertTrue(dir.getFileName().toString().startsWith("fl4j-spark-state-"), dir.toString());
        }
        assertFalse(Files.exists(dir), "deleted on close: " + dir);
    }
}
