package dev.fl4j.deploy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.simulation.training.Cohort;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A private deployed run's cohorts: every client of the population is sampled at rate q whether it is
 * connected or not, the cohort's size varies, and only the sampled clients that are alive get tasks.
 */
class PoissonCohortsTest {

    @Test
    void everyClientIsSampledAtRateQWhetherAliveOrNotAndOnlyTheAliveOnesAreTasked() {
        List<String> population = new ArrayList<>();
        for (int i = 9; i >= 0; i--) {
            population.add("client_" + i);
        }
        Set<String> alive = Set.of("client_0", "client_3", "client_4", "client_9");
        double q = 0.3;
        PoissonCohorts cohorts = new PoissonCohorts(population, q, new SecureRandom());
        assertEquals("client_0", cohorts.population().get(0), "natural order");
        assertEquals("client_9", cohorts.population().get(9));
        int rounds = 4000;
        Map<String, Integer> sampled = new HashMap<>();
        Set<Integer> sizes = new HashSet<>();
        for (int r = 1; r <= rounds; r++) {
            Cohort c = cohorts.draw(r, alive);
            sizes.add(c.sampled().size());
            for (String id : c.sampled()) {
                sampled.merge(id, 1, Integer::sum);
            }
            List<String> expected = c.sampled().stream().filter(alive::contains).toList();
            assertEquals(expected, c.reporting(), "tasks go to the sampled clients that are alive");
        }
        double sigma = Math.sqrt(q * (1 - q) / rounds);
        for (String id : population) {
            double rate = sampled.getOrDefault(id, 0) / (double) rounds;
            assertTrue(
                    Math.abs(rate - q) < 5 * sigma,
                    id + (alive.contains(id) ? " (alive)" : " (not connected)") + " sampled at " + rate);
        }
        assertTrue(sizes.size() > 3, "a Poisson cohort's size is random: " + sizes);
        assertTrue(sizes.contains(0), "an empty cohort is drawn too (0.7^10 a round): " + sizes);
    }
}
