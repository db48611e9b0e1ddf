package dev.fl4j.deploy;

import dev.fl4j.core.SequenceValue;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import java.util.Iterator;
import java.util.Objects;

/**
 * On the server, the stand-in for a client's data set, which only the client holds: a sequence of
 * the right element type (so the learning process type-checks as in simulation) that carries how the
 * client is to prepare its data this round (shuffle seed, batch size, examples cap) instead of
 * elements. The server's dispatcher takes it out of a task's argument and names its field in the
 * task; the client puts its own prepared data there. Reading its elements on the server is an error
 * that says so: client work that reads client data must be shippable (have a descriptor).
 */
public final class RemoteClientData implements SequenceValue {

    private final Type elementType;
    private final String clientId;
    private final int round;
    private final long shuffleSeed;
    private final int batchSize;
    private final int examplesCap;
    private final int stateRound;

    /** As the other constructor, for a client without client state kept by the server's round log (state round 0). */
    public RemoteClientData(
            Type elementType, String clientId, int round, long shuffleSeed, int batchSize, int examplesCap) {
        this(elementType, clientId, round, shuffleSeed, batchSize, examplesCap, 0);
    }

    /**
     * @param stateRound the round of the client's own client state its work starts from: the last
     *     round before {@code round} whose result of this client the server kept (0: none)
     */
    public RemoteClientData(
            Type elementType,
            String clientId,
            int round,
            long shuffleSeed,
            int batchSize,
            int examplesCap,
            int stateRound) {
        this.elementType = Objects.requireNonNull(elementType, "elementType");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        if (round < 1 || batchSize < 1 || examplesCap < 0) {
            throw new IllegalArgumentException("round " + round + ", batch size " + batchSize + ", examples cap "
                    + examplesCap + ": need round >= 1, batch >= 1, cap >= 0");
        }
        this.round = round;
        this.shuffleSeed = shuffleSeed;
        this.batchSize = batchSize;
        this.examplesCap = examplesCap;
        if (stateRound < 0 || stateRound >= round) {
            throw new IllegalArgumentException("state round " + stateRound + " must be in [0, round " + round + ")");
        }
        this.stateRound = stateRound;
    }

    /** The round of the client's own state its work starts from (0: none). */
    public int stateRound() {
        return stateRound;
    }

    @Override
    public Type elementType() {
        return elementType;
    }

    @Override
    public Iterator<Value> iterator() {
        throw new IllegalStateException("the data of client " + clientId
                + " lives on that client; only client work with a descriptor (shippable) can read it, on the client");
    }

    public String clientId() {
        return clientId;
    }

    public int round() {
        return round;
    }

    public long shuffleSeed() {
        return shuffleSeed;
    }

    public int batchSize() {
        return batchSize;
    }

    public int examplesCap() {
        return examplesCap;
    }

    @Override
    public String toString() {
        return "data of " + clientId + " (round " + round + ", on the client)";
    }
}
