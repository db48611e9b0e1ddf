package dev.fl4j.simulation.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientSamplerTest {

    static List<String> population(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("c" + i);
        }
        return ids;
    }

    @Test
    void samplesDistinctClientsOfThePopulationReproducibly() {
        List<String> pop = population(30);
        ClientSampler s = new ClientSampler(pop, 10, 0, 7);
        for (int round = 1; round <= 50; round++) {
            Cohort c = s.sample(round);
            assertEquals(10, c.sampled().size());
            assertEquals(10, new HashSet<>(c.sampled()).size(), "without replacement in round " + round);
            assertTrue(pop.containsAll(c.sampled()));
            assertEquals(c.sampled(), c.reporting());
            assertEquals(c, new ClientSampler(pop, 10, 0, 7).sample(round), "same seed and round, same cohort");
        }
        assertNotEquals(s.sample(1).sampled(), s.sample(2).sampled());
        assertNotEquals(
                s.sample(1).sampled(),
                new ClientSampler(pop, 10, 0, 8).sample(1).sampled());
        assertEquals(
                pop.size(),
                new HashSet<>(new ClientSampler(pop, 30, 0, 1).sample(1).sampled()).size(),
                "whole population");
    }

    @Test
    void everyClientIsEquallyLikely() {
        List<String> pop = population(20);
        ClientSampler s = new ClientSampler(pop, 5, 0, 3);
        Map<String, Integer> counts = new HashMap<>();
        int rounds = 8000;
        for (int r = 1; r <= rounds; r++) {
            for (String id : s.sample(r).sampled()) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        double expected = rounds * 5 / 20.0;
        double sd = Math.sqrt(rounds * 0.25 * 0.75);
        for (String id : pop) {
            assertTrue(
                    Math.abs(counts.get(id) - expected) < 5 * sd,
                    id + " sampled " + counts.get(id) + " times, expected about " + expected);
        }
    }

    @Test
    void dropoutRemovesClientsAtTheRateWithoutChangingTheSample() {
        List<String> pop = population(50);
        ClientSampler plain = new ClientSampler(pop, 10, 0, 5);
        ClientSampler lossy = new ClientSampler(pop, 10, 0.3, 5);
        int dropped = 0;
        int rounds = 2000;
        for (int r = 1; r <= rounds; r++) {
            Cohort c = lossy.sample(r);
            assertEquals(plain.sample(r).sampled(), c.sampled(), "dropout must not change the sample");
            assertTrue(c.sampled().containsAll(c.reporting()));
            List<String> order = new ArrayList<>(c.sampled());
            order.retainAll(c.reporting());
            assertEquals(order, c.reporting(), "reporting clients keep sampling order");
            dropped += c.droppedOut();
        }
        double rate = dropped / (rounds * 10.0);
        assertEquals(0.3, rate, 0.02);
        assertEquals(lossy.sample(9), new ClientSampler(pop, 10, 0.3, 5).sample(9));
    }

    @Test
    void impossibleSettingsAreRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new ClientSampler(population(5), 6, 0, 1));
        assertTrue(e.getMessage().contains("between 1 and the 5 clients"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClientSampler(population(5), 0, 0, 1));
        e = assertThrows(IllegalArgumentException.class, () -> new ClientSampler(population(5), 2, 1.0, 1));
        assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClientSampler(population(5), 2, Double.NaN, 1));
    }

    @Test
    void poissonSamplingTakesEachClientIndependentlyWithProbabilityQ() {
        List<String> pop = population(20);
        ClientSampler s = ClientSampler.poisson(pop, 0.25, 0, new java.security.SecureRandom());
        assertTrue(s.isPoisson());
        Map<String, Integer> counts = new HashMap<>();
        Map<Integer, Integer> sizes = new HashMap<>();
        int rounds = 4000;
        for (int r = 1; r <= rounds; r++) {
            Cohort c = s.sample(r);
            assertEquals(c.sampled().size(), new HashSet<>(c.sampled()).size());
            sizes.merge(c.sampled().size(), 1, Integer::sum);
            for (String id : c.sampled()) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        for (String id : pop) {
            // standard error of the frequency: sqrt(0.25 * 0.75 / 4000) = 0.0068; allow 4.4 of them
            assertEquals(0.25, counts.getOrDefault(id, 0) / (double) rounds, 0.03, "client " + id);
        }
        assertTrue(sizes.size() > 5, "the cohort size varies: " + sizes);
        assertTrue(sizes.containsKey(0) || sizes.get(5) < rounds, "sizes " + sizes);
        assertEquals(
                pop,
                ClientSampler.poisson(pop, 1.0, 0, new java.security.SecureRandom())
                        .sample(1)
                        .sampled(),
                "q = 1 takes everyone");
        assertThrows(
                IllegalArgumentException.class,
                () -> ClientSampler.poisson(pop, 0, 0, new java.security.SecureRandom()));
        assertThrows(
                IllegalArgumentException.class,
                () -> ClientSampler.poisson(pop, 1.5, 0, new java.security.SecureRandom()));
    }
}
