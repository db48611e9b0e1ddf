package dev.fl4j.simulation.training;

import dev.fl4j.simulation.data.Dataset;
import java.io.Serializable;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How a client's raw examples become what local training iterates, TFF's per-client
 * {@code preprocess_fn}: for training, a full shuffle seeded by the run seed, the round and the
 * client, optionally the first {@code examplesCap} examples of that order, then batches of
 * {@code batchSize} (a last short batch kept); for evaluation, the examples in order, batched.
 * Epochs are not repeated here: the learning process runs its own local epochs. An optional
 * {@linkplain Builder#optBatchMap batch map} adapts batches to the model (e.g. flattening images), and
 * runs once per batch, never per example. Built with {@link #builder()} ({@link #batches} for batches alone).
 *
 * <p>A preprocessing whose batch map is {@link Serializable} (the default, none, is) {@linkplain #isSerializable can
 * travel} with a client's location to the JVM where the client trains, so that a runtime that loads clients there
 * (the Spark runtime over Parquet files) preprocesses them there too.
 */
public final class Preprocessing implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int batchSize;
    private final int examplesCap;
    /** Serialized only when {@link #isSerializable}. */
    @SuppressWarnings("serial")
    private final UnaryOperator<Dataset> batchMap;

    private Preprocessing(int batchSize, int examplesCap, UnaryOperator<Dataset> batchMap) {
        this.batchSize = batchSize;
        this.examplesCap = examplesCap;
        this.batchMap = batchMap;
    }

    /**
     * One element per example, never batched, for a process whose clients take single points (federated k-means):
     * for training the same seeded shuffle and optional cap of {@code examplesCap} examples (0: all), for
     * evaluation the examples in order; {@code exampleMap} then adapts the unbatched dataset (e.g. keeps only
     * {@code x}). {@link #batchSize()} is 0.
     *
     * @throws IllegalArgumentException for a negative cap
     */
    public static Preprocessing unbatched(int examplesCap, UnaryOperator<Dataset> exampleMap) {
        if (examplesCap < 0) {
            throw new IllegalArgumentException(
                    "the examples cap must be positive, or 0 for no cap, got " + examplesCap);
        }
        return new Preprocessing(0, examplesCap, Objects.requireNonNull(exampleMap, "exampleMap"));
    }

    /**
     * Shuffled batches of {@code batchSize} for training, plain batches for evaluation, nothing else: the builder
     * with only its required setting.
     */
    public static Preprocessing batches(int batchSize) {
        return builder().setBatchSize(batchSize).build();
    }

    /** A builder; {@link Builder#setBatchSize} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link Preprocessing}: {@code setX} for what must be given, {@code optX} for what has a default. */
    public static final class Builder {
        private int batchSize;
        private int examplesCap;
        private UnaryOperator<Dataset> batchMap = NoBatchMap.INSTANCE;

        private Builder() {}

        /** Examples per batch (TFF's {@code batch(batch_size)}); required, at least 1. */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** At most {@code cap} examples per client and round in training (default 0: all). */
        public Builder optExamplesCap(int cap) {
            this.examplesCap = cap;
            return this;
        }

        /**
         * Applies {@code map} to the batched dataset, to adapt batches to the model (default: none); it sees batches,
         * not examples.
         */
        public Builder optBatchMap(UnaryOperator<Dataset> map) {
            this.batchMap = Objects.requireNonNull(map, "map");
            return this;
        }

        /**
         * The preprocessing.
         *
         * @throws IllegalStateException naming the setter if the batch size was not set or is not positive, or the
         *     examples cap is negative
         */
        public Preprocessing build() {
            if (batchSize < 1) {
                throw new IllegalStateException("setBatchSize: the batch size must be at least 1, got " + batchSize
                        + (batchSize == 0 ? " (not set)" : ""));
            }
            if (examplesCap < 0) {
                throw new IllegalStateException(
                        "optExamplesCap: the cap must be positive, or 0 for no cap, got " + examplesCap);
            }
            return new Preprocessing(batchSize, examplesCap, batchMap);
        }
    }

    /** No batch map (batches as they are), as a serializable one: what a batch map that changes nothing should be. */
    public static UnaryOperator<Dataset> noBatchMap() {
        return NoBatchMap.INSTANCE;
    }

    /**
     * Whether this preprocessing can be serialized, to run where clients are loaded: its batch map is
     * {@link Serializable} (none is).
     */
    public boolean isSerializable() {
        return batchMap instanceof Serializable;
    }

    /** Examples per batch; 0 for {@link #unbatched} preprocessing. */
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
        return batchMap.apply(batchSize == 0 ? d : d.batch(batchSize));
    }

    /** The evaluation pipeline: all examples in order, batched (unless {@link #unbatched}). */
    public Dataset forEvaluation(Dataset raw) {
        return batchMap.apply(batchSize == 0 ? raw : raw.batch(batchSize));
    }

    /** No batch map: batches as they are; serializable, unlike {@link UnaryOperator#identity()}. */
    private enum NoBatchMap implements UnaryOperator<Dataset> {
        INSTANCE;

        @Override
        public Dataset apply(Dataset d) {
            return d;
        }
    }
}
