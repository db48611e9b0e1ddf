package dev.fl4j.simulation.training;

import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses each round's clients as TFF's simulations do: {@code perRound} clients drawn uniformly
 * without replacement from the population (a partial Fisher–Yates shuffle), then, to simulate
 * unreliable devices, each sampled client independently drops out with probability
 * {@code dropoutRate} before reporting.
 *
 * <p>Both draws derive from the run seed, the round and their purpose only, so the cohort of round
 * {@code r} is the same whether the run started at round 1 or resumed at round {@code r}, and the
 * dropout rate does not change which clients are sampled.
 *
 * <p><b>Poisson sampling</b> ({@link #poisson}), for differentially private runs: each client takes
 * part independently with probability exactly {@code q}, so the cohort's size is itself random (and
 * may be 0), and both this draw and the drop-out come from a {@link SecureRandom}. This is the
 * sampling the RDP accountant of the sampled Gaussian mechanism assumes; a seeded draw would let
 * anyone who knows the seed predict who took part, and a fixed-size cohort is not what the
 * accountant composes. Poisson cohorts are not reproducible, by design.
 */
public final class ClientSampler {

    private static final long SAMPLING = Seeds.purpose("training/sampling");
    private static final long DROPOUT = Seeds.purpose("training/dropout");

    private final List<String> population;
    private final int perRound;
    private final double dropoutRate;
    private final long seed;
    private final double samplingRate;
    private final SecureRandom secure;

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
        this.samplingRate = Double.NaN;
        this.secure = null;
    }

    private ClientSampler(List<String> population, double samplingRate, double dropoutRate, SecureRandom secure) {
        this.population = List.copyOf(population);
        if (this.population.isEmpty()) {
            throw new IllegalArgumentException("Poisson sampling needs a population of at least one client, got none");
        }
        if (!(samplingRate > 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException("Poisson sampling rate must be in (0, 1], got " + samplingRate);
        }
        if (!(dropoutRate >= 0 && dropoutRate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + dropoutRate);
        }
        this.perRound = 0;
        this.dropoutRate = dropoutRate;
        this.seed = 0;
        this.samplingRate = samplingRate;
        this.secure = java.util.Objects.requireNonNull(secure, "secure random");
    }

    /**
     * Poisson sampling: every client of {@code population} independently with probability
     * {@code samplingRate}, then drop-out at {@code dropoutRate}, all drawn from {@code random}
     * (this sampler then owns it).
     *
     * @throws IllegalArgumentException if the population is empty, {@code samplingRate} is not in
     *                                  {@code (0, 1]} or {@code dropoutRate} not in {@code [0, 1)}
     */
    public static ClientSampler poisson(
            List<String> population, double samplingRate, double dropoutRate, SecureRandom random) {
        return new ClientSampler(population, samplingRate, dropoutRate, random);
    }

    /** The cohort of {@code round} (1 for the first round). */
    public Cohort sample(int round) {
        if (secure != null) {
            return samplePoisson(round);
        }
        int n = population.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplitMix64 pick = new SplitMix64(Seeds.derive(seed, SAMPLING, round));
        List<String> sampled = new ArrayList<>(perRound);
        for (int i = 0; i < perRound; i++) {
            int j = i + pick.nextIntAsSplittableRandom(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            sampled.add(population.get(order[i]));
        }
        List<String> reporting = new ArrayList<>(perRound);
        SplitMix64 drop = new SplitMix64(Seeds.derive(seed, DROPOUT, round));
        for (String id : sampled) {
            if (drop.nextDouble() >= dropoutRate) {
                reporting.add(id);
            }
        }
        return new Cohort(round, sampled, reporting);
    }

    private Cohort samplePoisson(int round) {
        List<String> sampled = new ArrayList<>();
        for (String id : population) {
            if (secure.nextDouble() < samplingRate) {
                sampled.add(id);
            }
        }
        List<String> reporting = new ArrayList<>(sampled.size());
        for (String id : sampled) {
            if (secure.nextDouble() >= dropoutRate) {
                reporting.add(id);
            }
        }
        return new Cohort(round, sampled, reporting);
    }

    /** Clients per round of a fixed-size sampler (0 for Poisson sampling). */
    public int perRound() {
        return perRound;
    }

    /** Whether clients are Poisson-sampled from a {@link SecureRandom} ({@link #poisson}). */
    public boolean isPoisson() {
        return secure != null;
    }

    /** The Poisson sampling rate q (NaN for a fixed-size sampler). */
    public double samplingRate() {
        return samplingRate;
    }

    public double dropoutRate() {
        return dropoutRate;
    }
}
