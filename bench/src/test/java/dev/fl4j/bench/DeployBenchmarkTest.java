package dev.fl4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeployBenchmarkTest {

    @Test
    void clientJvmsRunOnTheCollectorOfTheClientLauncherUnlessTheUserNamesOne() {
        assertEquals(List.of("-XX:+UseParallelGC"), DeployBenchmark.clientJvmOptions(List.of()));
        assertEquals(
                List.of("-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1", "-XX:-UseAdaptiveSizePolicyWithSystemGC"),
                DeployBenchmark.clientJvmOptions(
                        List.of("-XX:TieredStopAtLevel=1", "-XX:-UseAdaptiveSizePolicyWithSystemGC")));
        for (List<String> named : List.of(
                List.of("-XX:+UseG1GC"), List.of("-Xmx2g", "-XX:+UseSerialGC"), List.of("-XX:-UseParallelGC"))) {
            assertEquals(named, DeployBenchmark.clientJvmOptions(named));
        }
    }
}
