package dev.fl4j.simulation.training;

import dev.fl4j.simulation.data.Dataset;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How a client's raw examples become what local training iterates, TFF's per-client
 * {@code preprocess_fn}: for training, a full shuffle seeded by the run seed, the round and the
 * client, optionally the first {@code examplesCap} examples of that order, then batches of
 * {@code batchSize} (a last short batch kept); for evaluation, the examples in order, batched.
 * Epochs are not repeated here: the learning process runs its own local epochs. An optional
 * {@linkplain #withBatchMap batch map} adapts batches to the model (e.g. flattening images), and
 * runs once per batch, never per example.
 */
public final class Preprocessing {

    private final int batchSize;
    private final int examplesCap;
    private final UnaryOperator<Dataset> batchMap;

    private Preprocessing(int batchSize, int examplesCap, UnaryOperator<Dataset> batchMap) {
        this.batchSize = batchSize;
        this.examplesCap = examplesCap;
        this.batchMap = batchMap;
    }

    /** Shuffled batches of {@code batchSize} for training, plain batches for evaluation. */
    public static Preprocessing batches(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        return new Preprocessing(batchSize, 0, UnaryOperator.identity());
    }

    /** At most {@code cap} examples per client and round in training (0: all). */
    public Preprocessing withExamplesCap(int cap) {
        if (cap < 0) {
            throw new IllegalArgumentException("examples cap must be positive, or 0 for no cap, got " + cap);
        }
        return new Preprocessing(batchSize, cap, batchMap);
    }

    /** Applies {@code map} to the batched dataset (it sees batches, not examples). */
    public Preprocessing withBatchMap(UnaryOperator<Dataset> map) {
        Objects.requireNonNull(map, "map");
        UnaryOperator<Dataset> before = batchMap;
        return new Preprocessing(batchSize, examplesCap, d -> map.apply(before.apply(d)));
    }

    public int batchSize() {
        return batchSize;
    }

    public int examplesCap() {
        return examplesCap;
    }

    /** The training pipeline of one client in one round; {@code seed} orders the shuffle. */
    public Dataset forTraining(Dataset raw, long seed) {
        Dataset d = raw.shuffle(Integer.MAX_VALUE, seed);
        if (examplesCap > 0) {
            d = d.take(examplesCap);
        }
        return batchMap.apply(d.batch(batchSize));
    }

    /** The evaluation pipeline: all examples in order, batched. */
    public Dataset forEvaluation(Dataset raw) {
        return batchMap.apply(raw.batch(batchSize));
    }
}
