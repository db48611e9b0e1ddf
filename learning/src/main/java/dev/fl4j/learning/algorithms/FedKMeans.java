package dev.fl4j.learning.algorithms;

import dev.fl4j.aggregators.SumFactory;
import dev.fl4j.aggregators.UnweightedAggregationFactory;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.FunctionType;
import dev.fl4j.core.Placement;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.ComputationFactory;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import dev.fl4j.learning.model.ModelWeights;
import dev.fl4j.learning.templates.ClientWorkProcess;
import dev.fl4j.learning.templates.DistributionProcess;
import dev.fl4j.learning.templates.FinalizerProcess;
import dev.fl4j.learning.templates.LearningProcess;
import java.util.Arrays;
import java.util.Optional;

/**
 * Federated k-means, TFF's {@code build_fed_kmeans}: federated mini-batch k-means (Sculley 2010,
 * "Web-Scale K-Means Clustering"), the round's mini-batch being the union of the participating
 * clients' points. The model is {@code <trainable=<centroids=float32[k, d...]>, non_trainable=<>>};
 * client data are unbatched points {@code float32[d...]*}.
 *
 * <p>Each client assigns every point to its nearest centroid (squared Euclidean distance, ties to the
 * lower index) and sends {@code <cluster_sums=float32[k,d...], cluster_counts=int32[k]>}; the sum
 * aggregator ({@link SumFactory} by default) adds them up. The finalizer keeps the number of points
 * each centroid has absorbed, starting from a pseudo-count of 1, and moves centroid {@code j} to
 * {@code (w_j·c_j + s_j)/(w_j + n_j)} (unchanged when no new point came), {@code w_j ← w_j + n_j}: TFF's
 * {@code _update_centroids}. Initial centroids are standard normal draws from the seed. Sums of points
 * accumulate in double on each client and round once; a point that is not finite is refused naming
 * the client and the point.
 */
public final class FedKMeans {

    private static final TensorType I32 = TensorType.scalar(DType.INT32);
    static final String STEP = "kmeans_step";
    static final String EVALUATE = "kmeans_evaluate";
    /** The most elements centroids may have: what one Java array holds, as the clients' sums need. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private FedKMeans() {}

    /** {@code build_fed_kmeans(num_clusters, data_shape, random_seed)} with a broadcast and a plain sum. */
    public static LearningProcess build(int numClusters, int[] dataShape, long seed) {
        return build(numClusters, dataShape, seed, null, new SumFactory());
    }

    /**
     * @param distributor how the centroids reach the clients (null: a plain broadcast)
     * @param sumAggregator how the clients' sums and counts are added up
     * @throws IllegalArgumentException for fewer than one cluster or a data shape with a dimension below 1
     */
    public static LearningProcess build(
            int numClusters,
            int[] dataShape,
            long seed,
            DistributionProcess distributor,
            UnweightedAggregationFactory sumAggregator) {
        StructType weightsType = weightsType(numClusters, dataShape);
        TensorType centroids = centroidsType(numClusters, dataShape);
        int[] centroidsShape = centroids.shape();
        TensorType counts = new TensorType(DType.INT32, numClusters);
        TensorType point = new TensorType(DType.FLOAT32, dataShape);
        StructType update = StructType.builder()
                .add("cluster_sums", centroids)
                .add("cluster_counts", counts)
                .build();
        ClientWorkProcess clientWork = clientWork(weightsType, update, point);
        AggregationProcess aggregation = sumAggregator.create(update);
        FinalizerProcess finalizer = finalizer(weightsType, update, numClusters);
        DistributionProcess dist = distributor != null ? distributor : DistributionProcess.broadcast(weightsType);
        return LearningProcess.compose(
                weightsType,
                () -> ModelWeights.of(
                        Struct.named("centroids", initialCentroids(centroidsShape, seed)), Struct.empty()),
                dist,
                clientWork,
                aggregation,
                finalizer);
    }

    private static Tensor initialCentroids(int[] shape, long seed) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        SplitMix64 random = new SplitMix64(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussianBoxMuller();
        }
        return Tensor.of(v, shape);
    }

    private static ClientWorkProcess clientWork(StructType weightsType, StructType update, TensorType point) {
        SequenceType data = new SequenceType(point);
        StructType resultMember = StructType.builder()
                .add("update", update)
                .add("update_weight", StructType.of())
                .build();
        LocalComputation step = step(weightsType, update, point);
        StructType measurements = StructType.builder().add("num_examples", I32).build();
        LocalComputation measure =
                LocalComputation.of("kmeans_measurements", I32, measurements, v -> Struct.named("num_examples", v));
        FederatedType state = FederatedType.server(StructType.of());
        FederatedComputation init = FederatedComputation.noArg(
                "kmeans_client_work_initialize",
                state,
                (ctx, a) -> ctx.federatedValue(Struct.empty(), Placement.SERVER));
        FederatedComputation next = FederatedComputation.of(
                "kmeans_client_work_next",
                ClientWorkProcess.nextParameterType(state, weightsType, data),
                ClientWorkProcess.nextResultType(state, resultMember, measurements),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue stepped = ctx.federatedMap(
                            step, ctx.federatedZip(Struct.named("weights", a.get("weights"), "data", a.get("data"))));
                    FederatedValue result = ctx.federatedZip(Struct.named(
                            "update",
                            ctx.federatedField(stepped, "update"),
                            "update_weight",
                            ctx.federatedField(stepped, "update_weight")));
                    Value counted =
                            ctx.federatedMap(measure, ctx.federatedSum(ctx.federatedField(stepped, "num_examples")));
                    return new MeasuredProcessOutput(a.get("state"), result, counted);
                });
        return new ClientWorkProcess(init, next);
    }

    /**
     * The clients' step {@code <weights, data> -> <update=<cluster_sums, cluster_counts>, update_weight=<>,
     * num_examples=int32>}, described ({@link Factory}) so that a runtime running client work in other JVMs runs it
     * there; the field selections and the sum that read it are described by core.
     */
    private static LocalComputation step(StructType weightsType, StructType update, TensorType point) {
        StructType clientResult = StructType.builder()
                .add("update", update)
                .add("update_weight", StructType.of())
                .add("num_examples", I32)
                .build();
        return new KMeansStep(
                new FunctionType(
                        StructType.builder()
                                .add("weights", weightsType)
                                .add("data", new SequenceType(point))
                                .build(),
                        clientResult),
                update);
    }

    /** One client's assignment of its points: cluster sums (accumulated in double), counts and the number of points. */
    private static final class KMeansStep extends LocalComputation {
        private final StructType update;

        KMeansStep(FunctionType type, StructType update) {
            super("kmeans_step", type);
            this.update = update;
        }

        @Override
        protected Value apply(Value arg, ClientContext context) {
            Struct a = (Struct) arg;
            Tensor c = a.struct("weights").struct("trainable").tensor("centroids");
            int k = c.dim(0);
            float[] centroids = c.floatData();
            int d = centroids.length / k;
            double[] sums = new double[centroids.length];
            int[] counts = new int[k];
            int index = 0;
            for (Value v : (SequenceValue) a.get("data")) {
                float[] p = ((Tensor) v).floatData();
                for (int i = 0; i < d; i++) {
                    if (!Float.isFinite(p[i])) {
                        throw new IllegalArgumentException("k-means: point " + index + " of client "
                                + context.clientId() + " holds " + p[i] + " at element " + i
                                + "; points must be finite");
                    }
                }
                int best = nearest(centroids, k, d, p, null);
                for (int i = 0; i < d; i++) {
                    sums[best * d + i] += p[i];
                }
                counts[best]++;
                index++;
            }
            float[] rounded = new float[sums.length];
            for (int i = 0; i < sums.length; i++) {
                rounded[i] = (float) sums[i];
            }
            Struct u =
                    Struct.named("cluster_sums", Tensor.of(rounded, c.shape()), "cluster_counts", Tensor.of(counts, k));
            update.checkAssignableFrom(u.type(), "k-means client update");
            return Struct.named("update", u, "update_weight", Struct.empty(), "num_examples", Tensor.scalar(index));
        }

        @Override
        public Optional<ComputationDescriptor> descriptor() {
            int[] centroids = ((TensorType) update.get("cluster_sums")).shape();
            return Optional.of(
                    FedKMeans.descriptor(STEP, centroids[0], Arrays.copyOfRange(centroids, 1, centroids.length)));
        }
    }

    /**
     * The index of the centroid nearest to {@code p} (squared Euclidean distance in double, ties to the lower
     * index); {@code distance}, if not null, receives that squared distance in element 0.
     */
    private static int nearest(float[] centroids, int k, int d, float[] p, double[] distance) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            double dist = 0;
            for (int i = 0; i < d; i++) {
                double diff = (double) centroids[j * d + i] - p[i];
                dist += diff * diff;
            }
            if (dist < bestDistance) {
                bestDistance = dist;
                best = j;
            }
        }
        if (distance != null) {
            distance[0] = bestDistance;
        }
        return best;
    }

    /** The centroids' type in a k-means model: {@code float32[k, d...]}. */
    private static TensorType centroidsType(int numClusters, int[] dataShape) {
        int[] shape = new int[dataShape.length + 1];
        shape[0] = numClusters;
        System.arraycopy(dataShape, 0, shape, 1, dataShape.length);
        return new TensorType(DType.FLOAT32, shape);
    }

    /**
     * The model weights' type of {@link #build}: {@code <trainable=<centroids=float32[k, d...]>, non_trainable=<>>},
     * what a distributor of the centroids is built for.
     *
     * @throws IllegalArgumentException as {@link #build} does
     */
    public static StructType weightsType(int numClusters, int[] dataShape) {
        checkShape(numClusters, dataShape);
        return StructType.builder()
                .add(
                        "trainable",
                        StructType.builder()
                                .add("centroids", centroidsType(numClusters, dataShape))
                                .build())
                .add("non_trainable", StructType.of())
                .build();
    }

    private static void checkShape(int numClusters, int[] dataShape) {
        if (numClusters < 1) {
            throw new IllegalArgumentException("k-means needs at least one cluster, got " + numClusters);
        }
        if (dataShape.length == 0 || Arrays.stream(dataShape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("k-means data shape needs dimensions >= 1 (a point of rank >= 1), got "
                    + Arrays.toString(dataShape));
        }
    }

    /**
     * Federated evaluation of k-means centroids (not in TFF, which has none): the server broadcasts the model of
     * {@link #build}, each client assigns its points {@code float32[d...]*} to their nearest centroid as training
     * does, the sums are added at the server. Signature
     * {@code (<model_weights=W@SERVER, data={float32[d...]*}@CLIENTS> -> <eval=<..>>@SERVER)}, the shape of
     * {@link FederatedEvaluation}'s, with {@code eval} holding
     * <ul>
     *   <li>{@code inertia}: the sum over all points of the squared Euclidean distance to the nearest centroid
     *       (float64, each client's sum accumulated in double);</li>
     *   <li>{@code mean_squared_distance}: {@code inertia / num_points} (0 without points);</li>
     *   <li>{@code num_points} (int64) and {@code cluster_sizes=<cluster_0=int64, ...>}: how many points each
     *       centroid is nearest to.</li>
     * </ul>
     * A point that is not finite is refused naming the client, as in training.
     *
     * @throws IllegalArgumentException as {@link #build} does
     */
    public static FederatedComputation buildEvaluation(int numClusters, int[] dataShape) {
        StructType weightsType = weightsType(numClusters, dataShape);
        SequenceType data = new SequenceType(new TensorType(DType.FLOAT32, dataShape));
        TensorType f64 = TensorType.scalar(DType.FLOAT64);
        TensorType i64 = TensorType.scalar(DType.INT64);
        StructType sums = evaluationSums(numClusters);
        StructType.Builder sizes = StructType.builder();
        for (int j = 0; j < numClusters; j++) {
            sizes.add("cluster_" + j, i64);
        }
        StructType metrics = StructType.builder()
                .add("inertia", f64)
                .add("mean_squared_distance", f64)
                .add("num_points", i64)
                .add("cluster_sizes", sizes.build())
                .build();
        StructType result = StructType.builder().add("eval", metrics).build();
        LocalComputation assign = evaluationStep(numClusters, dataShape);
        LocalComputation finalize = LocalComputation.of("kmeans_finalize_eval", sums, result, v -> {
            Struct s = (Struct) v;
            double inertia = s.tensor("squared_distance").getDouble(0);
            long n = s.tensor("num_points").getLong(0);
            long[] counts = s.tensor("cluster_sizes").longData();
            Struct.Builder perCluster = Struct.builder();
            for (int j = 0; j < numClusters; j++) {
                perCluster.add("cluster_" + j, Tensor.scalar(counts[j]));
            }
            return Struct.named(
                    "eval",
                    Struct.builder()
                            .add("inertia", Tensor.scalar(inertia))
                            .add("mean_squared_distance", Tensor.scalar(n == 0 ? 0.0 : inertia / n))
                            .add("num_points", Tensor.scalar(n))
                            .add("cluster_sizes", perCluster.build())
                            .build());
        });
        return FederatedEvaluation.summed("kmeans_evaluation", weightsType, data, assign, finalize, result);
    }

    /**
     * The clients' step of {@link #buildEvaluation}: {@code <weights, data> -> <squared_distance=float64,
     * num_points=int64, cluster_sizes=int64[k]>}, described ({@link Factory}).
     */
    private static LocalComputation evaluationStep(int numClusters, int[] dataShape) {
        StructType weightsType = weightsType(numClusters, dataShape);
        SequenceType data = new SequenceType(new TensorType(DType.FLOAT32, dataShape));
        StructType sums = evaluationSums(numClusters);
        LocalComputation assign = LocalComputation.withContext(
                "kmeans_client_evaluate",
                StructType.builder()
                        .add("weights", weightsType)
                        .add("data", data)
                        .build(),
                sums,
                (v, ctx) -> {
                    Struct a = (Struct) v;
                    float[] centroids = a.struct("weights")
                            .struct("trainable")
                            .tensor("centroids")
                            .floatData();
                    int d = centroids.length / numClusters;
                    long[] counts = new long[numClusters];
                    double[] distance = new double[1];
                    double total = 0;
                    long index = 0;
                    for (Value point : (SequenceValue) a.get("data")) {
                        float[] p = ((Tensor) point).floatData();
                        for (int i = 0; i < d; i++) {
                            if (!Float.isFinite(p[i])) {
                                throw new IllegalArgumentException("k-means evaluation: point " + index
                                        + " of client " + ctx.clientId() + " holds " + p[i] + " at element " + i
                                        + "; points must be finite");
                            }
                        }
                        counts[nearest(centroids, numClusters, d, p, distance)]++;
                        total += distance[0];
                        index++;
                    }
                    return Struct.named(
                            "squared_distance",
                            Tensor.scalar(total),
                            "num_points",
                            Tensor.scalar(index),
                            "cluster_sizes",
                            Tensor.of(counts, numClusters));
                });
        return LocalComputation.described(assign, descriptor(EVALUATE, numClusters, dataShape));
    }

    private static StructType evaluationSums(int numClusters) {
        return StructType.builder()
                .add("squared_distance", TensorType.scalar(DType.FLOAT64))
                .add("num_points", TensorType.scalar(DType.INT64))
                .add("cluster_sizes", new TensorType(DType.INT64, numClusters))
                .build();
    }

    private static FinalizerProcess finalizer(StructType weightsType, StructType update, int k) {
        TensorType counts = new TensorType(DType.INT32, k);
        FederatedType state = FederatedType.server(counts);
        StructType in = StructType.builder()
                .add("state", counts)
                .add("weights", weightsType)
                .add("update", update)
                .build();
        StructType out = StructType.builder()
                .add("state", counts)
                .add("weights", weightsType)
                .build();
        LocalComputation apply = LocalComputation.of("kmeans_update_centroids", in, out, v -> {
            Struct s = (Struct) v;
            int[] current = s.tensor("state").intData();
            Tensor c = s.struct("weights").struct("trainable").tensor("centroids");
            float[] centroids = c.floatData();
            Struct u = s.struct("update");
            float[] sums = u.tensor("cluster_sums").floatData();
            int[] fresh = u.tensor("cluster_counts").intData();
            int d = centroids.length / k;
            int[] total = new int[k];
            float[] next = new float[centroids.length];
            for (int j = 0; j < k; j++) {
                try {
                    total[j] = Math.addExact(current[j], fresh[j]);
                } catch (ArithmeticException e) {
                    throw new ArithmeticException(
                            "k-means: cluster " + j + "'s count " + current[j] + " + " + fresh[j] + " overflows int32");
                }
                float totalF = total[j];
                float currentScale = totalF == 0f ? 0f : current[j] / totalF;
                float newScale = fresh[j] > 0 && totalF != 0f ? 1f / totalF : 0f;
                for (int i = 0; i < d; i++) {
                    next[j * d + i] = currentScale * centroids[j * d + i] + newScale * sums[j * d + i];
                }
            }
            return Struct.named(
                    "state",
                    Tensor.of(total, k),
                    "weights",
                    ModelWeights.of(Struct.named("centroids", Tensor.of(next, c.shape())), Struct.empty())
                            .asStruct());
        });
        int[] ones = new int[k];
        Arrays.fill(ones, 1);
        FederatedComputation init = FederatedComputation.noArg(
                "kmeans_finalizer_initialize",
                state,
                (ctx, a) -> ctx.federatedValue(Tensor.of(ones, k), Placement.SERVER));
        FederatedComputation next = FederatedComputation.of(
                "kmeans_finalizer_next",
                StructType.builder()
                        .add("state", state)
                        .add("weights", FederatedType.server(weightsType))
                        .add("update", FederatedType.server(update))
                        .build(),
                MeasuredProcess.outputType(
                        state, FederatedType.server(weightsType), FederatedType.server(StructType.of())),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue o = ctx.federatedMap(
                            apply,
                            ctx.federatedZip(Struct.named(
                                    "state", a.get("state"), "weights", a.get("weights"), "update", a.get("update"))));
                    return new MeasuredProcessOutput(
                            ctx.federatedField(o, "state"),
                            ctx.federatedField(o, "weights"),
                            ctx.federatedValue(Struct.empty(), Placement.SERVER));
                });
        return new FinalizerProcess(init, next);
    }

    /** The descriptor of a client step ({@link #STEP} or {@link #EVALUATE}) for k clusters of points of a shape. */
    private static ComputationDescriptor descriptor(String step, int numClusters, int[] dataShape) {
        return ComputationDescriptor.of(
                Factory.class,
                step,
                Struct.named(
                        "num_clusters",
                        Tensor.scalar(numClusters),
                        "data_shape",
                        Tensor.of(dataShape.clone(), dataShape.length)));
    }

    /**
     * Rebuilds the clients' steps of k-means in another JVM (a Spark executor): config {@code kmeans_step} (training's
     * assignment of the points, {@link #build}) or {@code kmeans_evaluate} ({@link #buildEvaluation}'s), payload
     * {@code <num_clusters=int32, data_shape=int32[r]>} with at least one cluster, a rank of at least 1, dimensions of
     * at least 1 and centroids of at most {@code 2^31 - 9} elements. Anything else is refused naming what does not fit.
     */
    public static final class Factory implements ComputationFactory {
        @Override
        public LocalComputation create(String config, Value payload) {
            if (!config.equals(STEP) && !config.equals(EVALUATE)) {
                throw new MalformedDataException(
                        "unknown k-means client step '" + config + "'; known: " + STEP + ", " + EVALUATE);
            }
            if (!(payload instanceof Struct p) || p.size() != 2 || !p.has("num_clusters") || !p.has("data_shape")) {
                throw new MalformedDataException(config + ": payload must be <num_clusters=int32,data_shape=int32[?]>,"
                        + " got " + (payload == null ? "none" : payload.type()));
            }
            if (!(p.get("num_clusters") instanceof Tensor k) || k.dtype() != DType.INT32 || k.rank() != 0) {
                throw new MalformedDataException(config + ": num_clusters must be an int32 scalar, got "
                        + p.get("num_clusters").type());
            }
            if (!(p.get("data_shape") instanceof Tensor shape) || shape.dtype() != DType.INT32 || shape.rank() != 1) {
                throw new MalformedDataException(config + ": data_shape must be int32[?], got "
                        + p.get("data_shape").type());
            }
            int numClusters = (int) k.longValue();
            int[] dataShape = shape.intData();
            long elements = Math.max(numClusters, 1);
            for (int d : dataShape) {
                elements *= Math.max(d, 1);
                if (elements > MAX_ELEMENTS) {
                    throw new MalformedDataException(config + ": " + numClusters + " centroids of "
                            + Arrays.toString(dataShape) + " exceed " + MAX_ELEMENTS + " elements");
                }
            }
            try {
                checkShape(numClusters, dataShape);
            } catch (IllegalArgumentException e) {
                throw new MalformedDataException(config + ": " + e.getMessage());
            }
            if (config.equals(EVALUATE)) {
                return evaluationStep(numClusters, dataShape);
            }
            TensorType centroids = centroidsType(numClusters, dataShape);
            StructType update = StructType.builder()
                    .add("cluster_sums", centroids)
                    .add("cluster_counts", new TensorType(DType.INT32, numClusters))
                    .build();
            return step(weightsType(numClusters, dataShape), update, new TensorType(DType.FLOAT32, dataShape));
        }
    }

    /** The centroids in a k-means process state. */
    public static Tensor centroids(LearningProcess process, Value state) {
        return process.getModelWeights(state).trainable().tensor("centroids");
    }
}
