package dev.fl4j.deploy.server;

import dev.fl4j.simulation.training.ClientSampler;
import dev.fl4j.simulation.training.Cohort;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The cohorts of a differentially private deployed run: every round, each client of a fixed
 * population (the authorized clients, in {@linkplain NaturalOrder natural order} of their ids) is
 * sampled independently with probability exactly {@code q}, by simulation's
 * {@link ClientSampler#poisson} from a {@link SecureRandom} — as {@code fl4j simulate} samples a
 * private run, and for the same reason: the RDP accountant's amplification by subsampling assumes
 * that nobody, clients included, can predict who is sampled, which a draw from the run seed would
 * let anyone who knows the seed do. The draw is therefore not reproducible; the round log records
 * who took part.
 *
 * <p>The draw looks at the population only: whether a client is connected plays no part in it. A
 * sampled client that is not alive when the round starts gets no task; it is the cohort's dropout,
 * as a client that crashes before reporting would be ({@link Cohort#reporting()} holds the sampled
 * clients that are alive).
 */
final class PoissonCohorts {

    private final List<String> population;
    private final ClientSampler sampler;

    /**
     * @throws IllegalArgumentException if {@code population} is empty or {@code q} not in (0, 1]
     */
    PoissonCohorts(Collection<String> population, double q, SecureRandom random) {
        List<String> ordered = new ArrayList<>(population);
        ordered.sort(NaturalOrder.INSTANCE);
        this.population = List.copyOf(ordered);
        this.sampler = ClientSampler.poisson(this.population, q, 0, Objects.requireNonNull(random, "random"));
    }

    /** The population, in natural order: a client's index here orders its data shuffle. */
    List<String> population() {
        return population;
    }

    /**
     * Round {@code round}'s cohort: {@code sampled} the Poisson draw over the whole population,
     * {@code reporting} those of them in {@code alive} (both in natural order).
     */
    Cohort draw(int round, Collection<String> alive) {
        Set<String> live = new HashSet<>(alive);
        List<String> sampled = sampler.sample(round).sampled();
        List<String> tasked = new ArrayList<>(sampled.size());
        for (String id : sampled) {
            if (live.contains(id)) {
                tasked.add(id);
            }
        }
        return new Cohort(round, sampled, tasked);
    }
}
