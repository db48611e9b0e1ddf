package dev.fl4j.aggregators;

import dev.fl4j.aggregators.internal.Stateless;
import dev.fl4j.aggregators.internal.ValueMath;
import dev.fl4j.aggregators.robust.CoordinateWiseMedian;
import dev.fl4j.aggregators.robust.CoordinateWiseTrimmedMean;
import dev.fl4j.aggregators.robust.Krum;
import dev.fl4j.aggregators.robust.RobustAggregator;
import dev.fl4j.core.DType;
import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.Aggregation;
import dev.fl4j.core.computation.FederatedComputation;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.core.templates.AggregationProcess;
import dev.fl4j.core.templates.MeasuredProcess;
import dev.fl4j.core.templates.MeasuredProcessOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Byzantine-robust aggregation as a factory: the coordinate-wise median, the coordinate-wise trimmed
 * mean, Krum and multi-Krum of client updates (kernels in {@link dev.fl4j.aggregators.robust}),
 * which TFF does not ship. The result stays close to the honest clients' updates while a bounded
 * number of clients send arbitrary values.
 *
 * <h2>Tolerance</h2>
 * <ul>
 *   <li>{@link #median()}: fewer than half of the clients faulty, {@code f <= ⌊(n-1)/2⌋} (weighted:
 *       less than half the weight).</li>
 *   <li>{@link #trimmedMean(double) trimmedMean(β)}: {@code f <= ⌊β·n⌋}; {@code β} must be in
 *       [0, 1/2).</li>
 *   <li>{@link #krum(int) krum(f)} and {@link #multiKrum(int, int) multiKrum(f, m)}: {@code f}
 *       faulty clients if {@code n >= 2f + 3} (and {@code m <= n - f}); a round with fewer clients
 *       is refused with an exception naming {@code n} and {@code f}.</li>
 * </ul>
 * Impossible settings are rejected when the factory is built ({@code β} outside [0, 1/2),
 * {@code f < 0}, {@code m < 1}) or when a round's client count makes the guarantee impossible.
 * Measurements say what held this round: {@code <robust_clients=int32, robust_max_faulty=int32>},
 * the number of clients aggregated and how many of them could have been faulty under the guarantee.
 *
 * <h2>Memory and communication</h2>
 * Unlike a sum or a mean these statistics need every update at once, so the aggregation is a
 * {@code federated_aggregate} whose accumulator <em>collects</em> the updates (O(n·d) memory at the
 * server) and whose report runs the kernel: the one aggregation in fl4j that materializes a round's
 * updates, where every sum and mean folds each client's update as it arrives and drops it. The
 * collected updates (4 bytes per element) may take at most a {@linkplain Builder#optMemoryBudget memory
 * budget}, by default half the maximum heap; the client whose update would exceed it fails the round
 * with an exception giving the clients, the update size and the budget, before the heap runs out.
 * Each client sends its update (and weight) once, as for a mean.
 *
 * <h2>Weights and bad values</h2>
 * Weighted processes pass the client weights to the kernel (see each kernel for how it uses them);
 * clients of weight zero are left out entirely (so updates zeroed by {@link NonFiniteZeroingFactory}
 * have no say). A non-finite update that reaches the aggregation is rejected naming its client;
 * wrap the factory in {@link NonFiniteZeroingFactory} (weighted) to drop such updates instead. Values
 * are floating tensors or structures of them; arithmetic is in float (float64 leaves are rounded to
 * float). Rounds in which no client has weight are zeros, as {@link MeanFactory}'s.
 */
public final class RobustAggregationFactory implements UnweightedAggregationFactory, WeightedAggregationFactory {

    private static final TensorType I32 = TensorType.scalar(DType.INT32);

    private final RobustAggregator kernel;
    private final String name;
    private final long memoryBudgetBytes;

    private RobustAggregationFactory(RobustAggregator kernel, String name) {
        this(kernel, name, Runtime.getRuntime().maxMemory() / 2);
    }

    private RobustAggregationFactory(RobustAggregator kernel, String name, long memoryBudgetBytes) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.name = name;
        this.memoryBudgetBytes = memoryBudgetBytes;
    }

    /**
     * A builder starting from this kernel and memory budget, e.g.
     * {@code RobustAggregationFactory.median().toBuilder().optMemoryBudget(1 << 30).build()}; this
     * factory is unchanged.
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Options of a robust aggregation whose kernel was chosen by {@link #median()}, {@link #krum(int)}, .... */
    public static final class Builder {
        private final RobustAggregationFactory kernel;
        private long memoryBudgetBytes;

        private Builder(RobustAggregationFactory kernel) {
            this.kernel = kernel;
            this.memoryBudgetBytes = kernel.memoryBudgetBytes;
        }

        /**
         * The collected updates limited to {@code bytes}, >= 1 (default: half the maximum heap); a
         * round whose updates would need more fails naming the client that would exceed it.
         */
        public Builder optMemoryBudget(long bytes) {
            this.memoryBudgetBytes = bytes;
            return this;
        }

        /**
         * The factory.
         *
         * @throws IllegalArgumentException if the memory budget is below 1 byte
         */
        public RobustAggregationFactory build() {
            if (memoryBudgetBytes < 1) {
                throw new IllegalArgumentException(kernel.name
                        + ": optMemoryBudget: memory budget must be at least 1 byte, got " + memoryBudgetBytes);
            }
            return new RobustAggregationFactory(kernel.kernel, kernel.name, memoryBudgetBytes);
        }
    }

    /** The most bytes the collected updates of a round may take. */
    public long memoryBudgetBytes() {
        return memoryBudgetBytes;
    }

    /** The coordinate-wise median; tolerates fewer than half faulty clients. */
    public static RobustAggregationFactory median() {
        return new RobustAggregationFactory(new CoordinateWiseMedian(), "median");
    }

    /**
     * The coordinate-wise trimmed mean dropping fraction {@code beta} from each end; tolerates
     * {@code ⌊β·n⌋} faulty clients.
     *
     * @throws IllegalArgumentException if {@code beta} is not in [0, 1/2)
     */
    public static RobustAggregationFactory trimmedMean(double beta) {
        return new RobustAggregationFactory(new CoordinateWiseTrimmedMean(beta), "trimmed_mean(" + beta + ")");
    }

    /**
     * Krum assuming at most {@code f} faulty clients; needs {@code n >= 2f + 3} clients per round.
     *
     * @throws IllegalArgumentException if {@code f < 0}
     */
    public static RobustAggregationFactory krum(int f) {
        return new RobustAggregationFactory(new Krum(f), "krum(" + f + ")");
    }

    /**
     * Multi-Krum: the mean of the {@code m} best-scored updates, assuming at most {@code f} faulty
     * clients; needs {@code n >= 2f + 3} and {@code m <= n - f}.
     *
     * @throws IllegalArgumentException if {@code f < 0} or {@code m < 1}
     */
    public static RobustAggregationFactory multiKrum(int f, int m) {
        return new RobustAggregationFactory(Krum.multiKrum(f, m), "multi_krum(" + f + ", " + m + ")");
    }

    /** The kernel, for its tolerance ({@link RobustAggregator#maxFaultyClients}). */
    public RobustAggregator kernel() {
        return kernel;
    }

    @Override
    public AggregationProcess create(Type valueType) {
        return build(valueType, null);
    }

    @Override
    public AggregationProcess create(Type valueType, Type weightType) {
        ValueMath.requireFloatScalar(weightType, name);
        return build(valueType, weightType);
    }

    private AggregationProcess build(Type valueType, Type weightType) {
        ValueMath.requireFloatStructure(valueType, name);
        int size = ValueMath.requireFlatSize(valueType, name);
        Type reported =
                StructType.builder().add("value", valueType).add("clients", I32).build();
        Type measurements = StructType.builder()
                .add("robust_clients", FederatedType.server(I32))
                .add("robust_max_faulty", FederatedType.server(I32))
                .build();
        LocalComputation value =
                LocalComputation.of(name + "_value", reported, valueType, v -> ((Struct) v).get("value"));
        LocalComputation clients =
                LocalComputation.of(name + "_clients", reported, I32, v -> ((Struct) v).get("clients"));
        LocalComputation maxFaulty = LocalComputation.of(
                name + "_max_faulty",
                reported,
                I32,
                v -> Tensor.scalar(kernel.maxFaultyClients(
                        (int) ((Struct) v).tensor("clients").longValue())));
        StructType.Builder params =
                StructType.builder().add("state", Stateless.STATE).add("value", FederatedType.clients(valueType));
        if (weightType != null) {
            params.add("weight", FederatedType.clients(weightType));
        }
        Collect collect = new Collect(valueType, reported, size, weightType != null);
        FederatedComputation next = FederatedComputation.of(
                name + "_next",
                params.build(),
                MeasuredProcess.outputType(Stateless.STATE, FederatedType.server(valueType), measurements),
                (ctx, arg) -> {
                    Struct a = (Struct) arg;
                    FederatedValue updates = weightType == null
                            ? (FederatedValue) a.get("value")
                            : ctx.federatedZip(Struct.of(a.get("value"), a.get("weight")));
                    FederatedValue out = ctx.federatedAggregate(updates, collect);
                    return new MeasuredProcessOutput(
                            a.get("state"),
                            ctx.federatedMap(value, out),
                            Struct.named(
                                    "robust_clients",
                                    ctx.federatedMap(clients, out),
                                    "robust_max_faulty",
                                    ctx.federatedMap(maxFaulty, out)));
                });
        return new AggregationProcess(Stateless.initialize(name), next);
    }

    /** The updates collected so far, flattened, with their weights. */
    private static final class Updates {
        final List<float[]> rows = new ArrayList<>();
        final List<Double> weights = new ArrayList<>();
    }

    /** A {@code federated_aggregate} that collects every update and reports the kernel's aggregate. */
    private final class Collect implements Aggregation<Updates> {
        private final Type valueType;
        private final Type reported;
        private final int size;
        private final boolean weighted;

        Collect(Type valueType, Type reported, int size, boolean weighted) {
            this.valueType = valueType;
            this.reported = reported;
            this.size = size;
            this.weighted = weighted;
        }

        @Override
        public Type reportType() {
            return reported;
        }

        @Override
        public Updates zero() {
            return new Updates();
        }

        @Override
        public Updates accumulate(Updates acc, Value clientValue) {
            Value update = weighted ? ((Struct) clientValue).get(0) : clientValue;
            double weight = weighted ? ((Struct) clientValue).tensor(1).doubleValue() : 1.0;
            if (!(weight >= 0 && weight < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(name + ": client weight must be finite and >= 0, got " + weight);
            }
            if (weight == 0) {
                return acc;
            }
            requireBudget(acc.rows.size() + 1L);
            float[] row = Structures.flattenFloats(update, size);
            for (int j = 0; j < size; j++) {
                if (!Float.isFinite(row[j])) {
                    throw new IllegalArgumentException(name + ": update element " + j + " is " + row[j]
                            + "; robust statistics need finite updates (wrap the factory in NonFiniteZeroingFactory)");
                }
            }
            acc.rows.add(row);
            acc.weights.add(weight);
            return acc;
        }

        /** Fails when {@code rows} updates would not fit the memory budget. */
        private void requireBudget(long rows) {
            long needed = Math.multiplyExact(Math.multiplyExact(rows, (long) size), (long) Float.BYTES);
            if (needed > memoryBudgetBytes) {
                throw new IllegalStateException(
                        name + " needs every update of the round at once, and " + rows + " updates of "
                                + size + " floats take " + BitFormat.formatBytes(needed)
                                + ", above its memory budget of " + BitFormat.formatBytes(memoryBudgetBytes)
                                + " (by default half the maximum heap); sample fewer clients per round, raise -Xmx, "
                                + "or use a streaming aggregator (mean)");
            }
        }

        @Override
        public Updates merge(Updates a, Updates b) {
            // the runtime merges blocks of clients' accumulators (and partitions', on a cluster): the budget holds
            // for the whole round, not per block
            requireBudget((long) a.rows.size() + b.rows.size());
            a.rows.addAll(b.rows);
            a.weights.addAll(b.weights);
            return a;
        }

        @Override
        public Value report(Updates acc) {
            int n = acc.rows.size();
            float[] result;
            if (n == 0) {
                result = new float[size];
            } else {
                float[][] updates = acc.rows.toArray(new float[0][]);
                double[] weights = null;
                if (weighted) {
                    weights = new double[n];
                    for (int i = 0; i < n; i++) {
                        weights[i] = acc.weights.get(i);
                    }
                }
                result = kernel.aggregate(updates, weights);
            }
            return Struct.named("value", Structures.unflattenFloats(valueType, result), "clients", Tensor.scalar(n));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
