package dev.fl4j.simulation.training;

import dev.fl4j.core.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chooses each round's clients as TFF's simulations do: {@code perRound} clients drawn uniformly
 * without replacement from the population (a partial Fisher–Yates shuffle), then, to simulate
 * unreliable devices, each sampled client independently drops out with probability
 * {@code dropoutRate} before reporting.
 *
 * <p>Both draws derive from the run seed, the round and their purpose only, so the cohort of round
 * {@code r} is the same whether the run started at round 1 or resumed at round {@code r}, and the
 * dropout rate does not change which clients are sampled.
 */
public final class ClientSampler {

    private static final long SAMPLING = Seeds.purpose("training/sampling");
    private static final long DROPOUT = Seeds.purpose("training/dropout");

    private final List<String> population;
    private final int perRound;
    private final double dropoutRate;
    private final long seed;

    /**
     * @throws IllegalArgumentException if {@code perRound} is not in {@code [1, population size]} or
     *                                  {@code dropoutRate} is not in {@code [0, 1)}
     */
    public ClientSampler(List<String> population, int perRound, double dropoutRate, long seed) {
        this.population = List.copyOf(population);
        if (perRound < 1 || perRound > this.population.size()) {
            throw new IllegalArgumentException("clients per round must be between 1 and the " + this.population.size()
                    + " clients of the population, got " + perRound);
        }
        if (!(dropoutRate >= 0 && dropoutRate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + dropoutRate);
        }
        this.perRound = perRound;
        this.dropoutRate = dropoutRate;
        this.seed = seed;
    }

    /** The cohort of {@code round} (1 for the first round). */
    public Cohort sample(int round) {
        int n = population.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom pick = new SplittableRandom(Seeds.derive(seed, SAMPLING, round));
        List<String> sampled = new ArrayList<>(perRound);
        for (int i = 0; i < perRound; i++) {
            int j = i + pick.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            sampled.add(population.get(order[i]));
        }
        List<String> reporting = new ArrayList<>(perRound);
        SplittableRandom drop = new SplittableRandom(Seeds.derive(seed, DROPOUT, round));
        for (String id : sampled) {
            if (drop.nextDouble() >= dropoutRate) {
                reporting.add(id);
            }
        }
        return new Cohort(round, sampled, reporting);
    }

    public int perRound() {
        return perRound;
    }

    public double dropoutRate() {
        return dropoutRate;
    }
}
