package dev.fl4j.deploy.client;

import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.protocol.TaskHeader;
import dev.fl4j.simulation.data.Dataset;
import java.util.function.UnaryOperator;

/** For tests that play a client by hand: a task's result computed as a real client computes it. */
public final class HonestTasks {

    private HonestTasks() {}

    /** A result as sent, with placeholders where the client kept results for a secure sum, and those kept. */
    public record Kept(Value sent, java.util.Map<Integer, long[]> kept) {}

    /** As {@link #result}, keeping the task's secure-summed results as a real client does. */
    public static Kept keeping(TaskHeader task, byte[] computation, byte[] argument, String clientId, Dataset data) {
        try (TaskContext context = new TaskContext(clientId, new ClientStates(null))) {
            TaskExecutor executor = new TaskExecutor(
                    FederatedClient.DEFAULT_ALLOWED_FACTORIES,
                    t -> computation,
                    data,
                    UnaryOperator.identity(),
                    context);
            TaskExecutor.Result o = executor.run(task, argument, () -> null, null);
            return new Kept(ValueCodec.decode(o.bytes()), o.kept());
        }
    }

    /**
     * What client {@code clientId} holding {@code data} returns for {@code task}, whose computation's
     * bytes are {@code computation} (no batch map).
     */
    public static Value result(TaskHeader task, byte[] computation, byte[] argument, String clientId, Dataset data) {
        try (TaskContext context = new TaskContext(clientId, new ClientStates(null))) {
            TaskExecutor executor = new TaskExecutor(
                    FederatedClient.DEFAULT_ALLOWED_FACTORIES,
                    t -> computation,
                    data,
                    UnaryOperator.identity(),
                    context);
            return ValueCodec.decode(
                    executor.run(task, argument, () -> null, null).bytes());
        }
    }
}
