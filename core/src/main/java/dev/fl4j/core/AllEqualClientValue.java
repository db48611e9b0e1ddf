package dev.fl4j.core;

import java.util.Objects;

/**
 * The same value on every client, {@code T@CLIENTS}: what a broadcast delivers. It holds one copy;
 * how many clients receive it is decided by the computation it takes part in.
 */
public final class AllEqualClientValue implements FederatedValue {

    private final Value value;
    private final FederatedType type;

    public AllEqualClientValue(Value value) {
        Objects.requireNonNull(value, "client value");
        if (value instanceof FederatedValue) {
            throw new IllegalArgumentException(
                    "cannot place an already federated value " + value.type() + " at CLIENTS");
        }
        this.value = value;
        this.type = FederatedType.clientsAllEqual(value.type());
    }

    /** The value every client holds. */
    public Value value() {
        return value;
    }

    @Override
    public FederatedType type() {
        return type;
    }

    @Override
    public String toString() {
        return value + "@CLIENTS";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AllEqualClientValue a && a.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, "clients");
    }
}
