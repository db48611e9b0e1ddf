package dev.fl4j.deploy.client;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ComputationDescriptor;
import dev.fl4j.core.computation.LocalComputation;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.core.runtime.ShippedChain;
import dev.fl4j.deploy.Payloads;
import dev.fl4j.deploy.RejectedMessageException;
import dev.fl4j.deploy.protocol.Rejection;
import dev.fl4j.deploy.protocol.TaskHeader;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.training.Preprocessing;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Runs one task on this client's data. A task names its computation by the SHA-256 of its
 * descriptor bytes; the executor keeps the computations it rebuilt (the last
 * {@value #CACHED_COMPUTATIONS}, by digest), so a computation is fetched ({@link ComputationSource})
 * and rebuilt once per client, not once per task, and checks that fetched bytes hash to the digest.
 * The computation is rebuilt from its descriptor only if its
 * factory is in this client's allow-list (for a {@link ShippedChain}, the chain's and each of its
 * computations' factories) (and registered through {@code ServiceLoader}, which
 * {@link ComputationDescriptor#rebuild()} requires: no class is loaded by a received name); the
 * argument is decoded defensively against the computation's parameter type; the named data fields
 * are filled with this client's data, shuffled with the task's seed and batched as the task says.
 */
final class TaskExecutor {

    /** Where the descriptor bytes of a computation the executor does not hold come from (the server). */
    @FunctionalInterface
    interface ComputationSource {
        /** The bytes of the computation of {@code task} (whose SHA-256 is its computation digest). */
        byte[] fetch(TaskHeader task);
    }

    /** Rebuilt computations kept, most recently used first out last. */
    static final int CACHED_COMPUTATIONS = 8;

    private final Set<String> allowedFactories;
    private final ComputationSource source;
    private final Map<String, LocalComputation> computations = new LinkedHashMap<>(CACHED_COMPUTATIONS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LocalComputation> eldest) {
            return size() > CACHED_COMPUTATIONS;
        }
    };

    private final Dataset data;
    private final UnaryOperator<Dataset> batchMap;
    private final TaskContext context;
    /** The last result's bytes, written over by the next result of the same length. */
    private byte[] resultBuffer;

    TaskExecutor(
            Set<String> allowedFactories,
            ComputationSource source,
            Dataset data,
            UnaryOperator<Dataset> batchMap,
            TaskContext context) {
        this.allowedFactories = Set.copyOf(allowedFactories);
        this.source = source;
        this.data = data;
        this.batchMap = batchMap;
        this.context = context;
    }

    /**
     * A task's result as value bytes, whether computing it read the client's position in the round
     * ({@link ShippedChain#invokeTracked}; a computation outside a chain counts as reading it), and the
     * results kept for a secure sum (by index in the chain's results, flattened leaf by leaf), which the
     * bytes carry only as placeholders.
     */
    record Result(byte[] bytes, boolean clientIndexRead, Map<Integer, long[]> kept) {}

    /**
     * Runs the task on {@code slot}'s worker (null: the client's own); the results the task names for a secure sum
     * stay here ({@link Result#kept}). The result's bytes are this executor's array, which the next run writes over:
     * the caller is done with them (pushed) before it runs the next task. The argument's tensors whose bytes are
     * those of {@code like}'s value (asked for once the task's computation is known; null: none) are its tensors.
     */
    Result run(TaskHeader task, byte[] argumentBytes, Supplier<ValueCodec.Decoded> like, TrainingSlots.Slot slot) {
        LocalComputation fn = computation(task);
        Type param = fn.type().parameter();
        if (!(param instanceof StructType st)) {
            throw new RejectedMessageException(
                    Rejection.WRONG_TYPE,
                    "computation '" + fn.name() + "' takes " + param + ", not a structure with data");
        }
        for (String field : task.getDataFieldsList()) {
            if (!st.has(field)) {
                throw new RejectedMessageException(
                        Rejection.WRONG_TYPE, "task names data field '" + field + "' that " + st + " does not have");
            }
        }
        if (task.getBatchSize() < 1) {
            throw new RejectedMessageException(Rejection.MALFORMED, "task batch size must be >= 1, got 0");
        }
        Struct sent = Payloads.decodeArgument(
                argumentBytes, like.get(), st, task.getDataFieldsList(), "task " + task.getTaskId());
        if (task.getExamplesCap() < 0) {
            throw new RejectedMessageException(
                    Rejection.MALFORMED, "task examples cap must be >= 0, got " + task.getExamplesCap());
        }
        Dataset prepared = Preprocessing.builder()
                .setBatchSize(task.getBatchSize())
                .optExamplesCap(task.getExamplesCap())
                .optBatchMap(batchMap)
                .build()
                .forTraining(data, task.getShuffleSeed());
        Struct.Builder full = Struct.builder();
        for (StructType.Field f : st.fields()) {
            full.add(f.name(), task.getDataFieldsList().contains(f.name()) ? prepared : sent.get(f.name()));
        }
        context.begin(task.getStateRound(), slot);
        Value result;
        boolean indexRead;
        if (fn instanceof ShippedChain chain) {
            ShippedChain.Outcome outcome = chain.invokeTracked(full.build(), context);
            result = outcome.result();
            indexRead = outcome.readClientIndex();
        } else {
            result = fn.invoke(full.build(), context);
            indexRead = true;
        }
        Map<Integer, long[]> kept = new TreeMap<>();
        if (task.getSecureSummedCount() > 0) {
            result = keep(task, result, kept);
        }
        resultBuffer = ValueCodec.encode(result, resultBuffer);
        context.commit(task.getRound());
        return new Result(resultBuffer, indexRead, kept);
    }

    /** Takes the secure-summed results out of {@code result} into {@code kept}, checked against their moduli. */
    private static Value keep(TaskHeader task, Value result, Map<Integer, long[]> kept) {
        if (!(result instanceof Struct s) || s.size() != task.getSecureSummedCount()) {
            throw new RejectedMessageException(
                    Rejection.WRONG_TYPE,
                    "task " + task.getTaskId() + " names " + task.getSecureSummedCount()
                            + " results for secure sums, its computation returns " + result.type());
        }
        Struct.Builder out = Struct.builder();
        for (int k = 0; k < s.size(); k++) {
            int bitwidth = task.getSecureSummed(k);
            if (bitwidth == 0) {
                out.add(s.nameAt(k), s.get(k));
                continue;
            }
            if (bitwidth < 1 || bitwidth > 62) {
                throw new RejectedMessageException(
                        Rejection.MALFORMED,
                        "task " + task.getTaskId() + ": secure-sum bitwidth " + bitwidth + " of result " + k
                                + " is outside [1, 62]");
            }
            kept.put(k, flatten(s.get(k), bitwidth, "task " + task.getTaskId() + " result " + k));
            out.add(s.nameAt(k), Tensor.scalar(0));
        }
        return out.build();
    }

    /** A value's integer leaves as one vector, every element checked to lie in {@code [0, 2^bitwidth)}. */
    static long[] flatten(Value v, int bitwidth, String what) {
        List<Tensor> leaves = Structures.leaves(v);
        long total = 0;
        for (Tensor t : leaves) {
            if (t.dtype() != DType.INT32 && t.dtype() != DType.INT64) {
                throw new IllegalStateException(what + ": a secure sum takes int32 or int64 values, got " + v.type());
            }
            total += t.size();
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalStateException(what + ": " + total + " elements do not fit one secure-sum vector");
        }
        long[] out = new long[(int) total];
        long modulus = 1L << bitwidth;
        int offset = 0;
        for (Tensor t : leaves) {
            for (int j = 0; j < t.size(); j++) {
                long x = t.getLong(j);
                if (x < 0 || x >= modulus) {
                    throw new IllegalStateException(
                            what + ": element " + (offset + j) + " is " + x + ", outside [0, 2^" + bitwidth + ")");
                }
                out[offset + j] = x;
            }
            offset += t.size();
        }
        return out;
    }

    /** The computation {@code task} names by digest: the one rebuilt before, or fetched, checked and rebuilt now. */
    LocalComputation computation(TaskHeader task) {
        byte[] digest = task.getComputationSha256().toByteArray();
        if (digest.length != 32) {
            throw new RejectedMessageException(
                    Rejection.MALFORMED,
                    "task " + task.getTaskId() + ": a computation digest is a SHA-256 (32 bytes), got "
                            + digest.length);
        }
        String key = HexFormat.of().formatHex(digest);
        synchronized (computations) {
            LocalComputation known = computations.get(key);
            if (known != null) {
                return known;
            }
        }
        byte[] bytes = source.fetch(task);
        if (!MessageDigest.isEqual(digest, Payloads.sha256(bytes))) {
            throw new RejectedMessageException(
                    Rejection.MALFORMED,
                    "task " + task.getTaskId() + ": the computation received does not hash to the task's digest "
                            + key);
        }
        LocalComputation fn = rebuild(bytes);
        synchronized (computations) {
            computations.put(key, fn);
        }
        return fn;
    }

    private LocalComputation rebuild(byte[] bytes) {
        ComputationDescriptor d;
        try {
            d = ComputationDescriptor.fromBytes(bytes);
        } catch (MalformedDataException e) {
            throw new RejectedMessageException(Rejection.MALFORMED, "task computation: " + e.getMessage(), e);
        }
        if (!allowedFactories.contains(d.factory())) {
            throw new RejectedMessageException(
                    Rejection.WRONG_TYPE,
                    "task computation factory " + d.factory() + " is not in this client's allow-list "
                            + allowedFactories);
        }
        if (ShippedChain.isChain(d)) {
            try {
                return ShippedChain.rebuild(d, allowedFactories);
            } catch (MalformedDataException e) {
                throw new RejectedMessageException(Rejection.WRONG_TYPE, "task computation: " + e.getMessage(), e);
            }
        }
        return d.rebuild();
    }
}
