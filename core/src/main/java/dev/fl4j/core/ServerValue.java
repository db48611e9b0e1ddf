package dev.fl4j.core;

import dev.fl4j.core.types.FederatedType;
import java.util.Objects;

/** A value placed at the server, {@code T@SERVER}. */
public final class ServerValue implements FederatedValue {

    private final Value value;
    private final FederatedType type;

    public ServerValue(Value value) {
        Objects.requireNonNull(value, "server value");
        if (value instanceof FederatedValue) {
            throw new IllegalArgumentException("cannot place an already federated value " + value.type() + " at SERVER");
        }
        this.value = value;
        this.type = FederatedType.server(value.type());
    }

    /** The value itself. */
    public Value value() {
        return value;
    }

    @Override
    public FederatedType type() {
        return type;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerValue s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value + "@SERVER";
    }
}
