package dev.fl4j.deploy.client;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
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
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Runs one task on this client's data. The computation is rebuilt from its descriptor only if its
 * factory is in this client's allow-list (for a {@link ShippedChain}, the chain's and each of its
 * computations' factories) (and registered through {@code ServiceLoader}, which
 * {@link ComputationDescriptor#rebuild()} requires: no class is loaded by a received name); the
 * argument is decoded defensively against the computation's parameter type; the named data fields
 * are filled with this client's data, shuffled with the task's seed and batched as the task says.
 */
final class TaskExecutor {

    private final Set<String> allowedFactories;
    private final Dataset data;
    private final UnaryOperator<Dataset> batchMap;
    private final TaskContext context;

    TaskExecutor(Set<String> allowedFactories, Dataset data, UnaryOperator<Dataset> batchMap, TaskContext context) {
        this.allowedFactories = Set.copyOf(allowedFactories);
        this.data = data;
        this.batchMap = batchMap;
        this.context = context;
    }

    /**
     * A task's result as value bytes, and whether computing it read the client's position in the
     * round ({@link ShippedChain#invokeTracked}; a computation outside a chain counts as reading it).
     */
    record Result(byte[] bytes, boolean clientIndexRead) {}

    Result run(TaskHeader task, byte[] argumentBytes) {
        LocalComputation fn = rebuild(task.getComputation().toByteArray());
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
        Struct sent = Payloads.decodeArgument(argumentBytes, st, task.getDataFieldsList(), "task " + task.getTaskId());
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
        context.begin(task.getStateRound());
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
        byte[] bytes = ValueCodec.encode(result);
        context.commit(task.getRound());
        return new Result(bytes, indexRead);
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
