package dev.fl4j.deploy.server;

import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One piece of client work handed to one client: what it gets, and the result the server waits for. */
final class Task {

    enum State {
        WAITING,
        HANDED_OUT,
        DONE,
        ABANDONED,
        /** Over-selection: the round had its results before this one came. */
        NOT_NEEDED
    }

    final String id;
    final String clientId;
    final int round;
    final byte[] computation;
    /** SHA-256 of {@link #computation}: what the task header carries instead of the bytes. */
    final byte[] computationSha256;

    final List<String> dataFields;
    final long shuffleSeed;
    final int batchSize;
    final int examplesCap;
    final int stateRound;
    /** The argument's bytes: the pass's shared encoding with this task's position written in. */
    final TaskArgument argument;

    final Type resultType;
    final long deadlineNanos;
    final CompletableFuture<Value> result = new CompletableFuture<>();
    State state = State.WAITING;
    /** Per result of a client chain: the bitwidth of the client-masked secure sum that alone reads it, else 0. */
    int[] secureSummed = new int[0];
    /** The pass of client work this task belongs to ({@link TaskBoard#dispatched}) and the client's index in it. */
    String passKey;

    int passIndex = -1;
    /** Bytes of the result's buffer budget this task holds ({@link TaskBoard#admit}). */
    long reservedBytes;
    /** Whether the client said computing its result read its position in the round (set with the result). */
    volatile boolean clientIndexRead = true;

    Task(
            String id,
            String clientId,
            int round,
            byte[] computation,
            List<String> dataFields,
            long shuffleSeed,
            int batchSize,
            int examplesCap,
            int stateRound,
            TaskArgument argument,
            Type resultType,
            long deadlineNanos) {
        this.id = id;
        this.clientId = clientId;
        this.round = round;
        this.computation = computation;
        this.computationSha256 = dev.fl4j.deploy.Payloads.sha256(computation);
        this.dataFields = List.copyOf(dataFields);
        this.shuffleSeed = shuffleSeed;
        this.batchSize = batchSize;
        this.examplesCap = examplesCap;
        this.stateRound = stateRound;
        this.argument = argument;
        this.resultType = resultType;
        this.deadlineNanos = deadlineNanos;
    }
}
