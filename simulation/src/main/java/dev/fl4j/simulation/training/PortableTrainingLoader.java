package dev.fl4j.simulation.training;

import dev.fl4j.core.Value;
import dev.fl4j.core.runtime.PortableClientLoader;
import dev.fl4j.simulation.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;

/**
 * A round's training data over a population whose clients load where they train: the population's
 * {@link PortableClientLoader} with the round's {@link Preprocessing} (each client's shuffle seeded by
 * the run seed, the round and its index in the population) applied after loading. A runtime that
 * ships client work sends each task a {@link Shuffled} batch, and the client is loaded and
 * preprocessed in the executor; loaded here ({@link #apply}) it is the same dataset, so the
 * {@link TrainingLoop} trains the same on every runtime.
 */
final class PortableTrainingLoader implements PortableClientLoader {

    private final PortableClientLoader population;
    private final Preprocessing preprocessing;
    private final Map<String, Integer> clientIndex;
    private final IntToLongFunction shuffleSeed;
    private final Consumer<String> loaded;

    /**
     * @param population    loads the population's raw datasets
     * @param preprocessing serializable ({@link Preprocessing#isSerializable})
     * @param clientIndex   each client's index in the population
     * @param shuffleSeed   the round's shuffle seed of a client index
     * @param loaded        told of each client loaded in this JVM, or loaded and done in another one (progress)
     */
    PortableTrainingLoader(
            PortableClientLoader population,
            Preprocessing preprocessing,
            Map<String, Integer> clientIndex,
            IntToLongFunction shuffleSeed,
            Consumer<String> loaded) {
        if (!preprocessing.isSerializable()) {
            throw new IllegalArgumentException("the preprocessing's batch map is not serializable");
        }
        this.population = population;
        this.preprocessing = preprocessing;
        this.clientIndex = clientIndex;
        this.shuffleSeed = shuffleSeed;
        this.loaded = loaded;
    }

    @Override
    public Value apply(String id) {
        long seed = seedOf(id);
        loaded.accept(id);
        return preprocessing.forTraining((Dataset) population.apply(id), seed);
    }

    @Override
    public void loadedElsewhere(String clientId) {
        loaded.accept(clientId);
    }

    @Override
    public Batch locate(List<String> ids) {
        long[] seeds = new long[ids.size()];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = seedOf(ids.get(i));
        }
        return new Shuffled(population.locate(ids), seeds, preprocessing);
    }

    @Override
    public long[] storageOrder(List<String> ids) {
        return population.storageOrder(ids);
    }

    private long seedOf(String id) {
        Integer index = clientIndex.get(id);
        if (index == null) {
            throw new IllegalArgumentException("client '" + id + "' is not in the training population");
        }
        return shuffleSeed.applyAsLong(index);
    }

    /** What travels: where the clients' data is, their shuffle seeds, and the preprocessing. */
    record Shuffled(Batch raw, long[] seeds, Preprocessing preprocessing) implements Batch {
        private static final long serialVersionUID = 1L;

        @Override
        public int size() {
            return raw.size();
        }

        @Override
        public List<Value> load() {
            List<Value> loaded = raw.load();
            List<Value> out = new ArrayList<>(loaded.size());
            for (int i = 0; i < loaded.size(); i++) {
                out.add(preprocessing.forTraining((Dataset) loaded.get(i), seeds[i]));
            }
            return out;
        }
    }
}
