package dev.fl4j.core;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value placed at the server, {@code T@SERVER}.
 *
 * <p>A runtime may hand out a server value before it is computed ({@link #deferred}): the result of
 * an aggregation whose clients have not run yet. Its type is known at once; {@link #value()} (and
 * {@code equals}, {@code hashCode}, {@code toString}) compute it on first use, on the calling thread,
 * which may run the round's pending client work. That is how the local runtime folds every
 * consumer of a client map in one pass over the clients (see
 * {@link dev.fl4j.core.runtime.LocalRuntime}). A runtime returns only computed values from an
 * invocation, so callers of a federated computation never see the difference.
 */
public final class ServerValue implements FederatedValue {

    private Value value;
    private Supplier<? extends Value> pending;
    private final FederatedType type;

    public ServerValue(Value value) {
        Objects.requireNonNull(value, "server value");
        requireNotFederated(value);
        this.value = value;
        this.type = FederatedType.server(value.type());
    }

    private ServerValue(Type memberType, Supplier<? extends Value> compute) {
        this.type = FederatedType.server(Objects.requireNonNull(memberType, "member type"));
        this.pending = Objects.requireNonNull(compute, "compute");
    }

    private static void requireNotFederated(Value value) {
        if (value instanceof FederatedValue) {
            throw new IllegalArgumentException(
                    "cannot place an already federated value " + value.type() + " at SERVER");
        }
    }

    /**
     * A server value of type {@code memberType@SERVER} computed by {@code compute} when first needed
     * (for runtimes). The computed value is checked against {@code memberType}; a failing
     * {@code compute} fails every read.
     */
    public static ServerValue deferred(Type memberType, Supplier<? extends Value> compute) {
        return new ServerValue(memberType, compute);
    }

    /** The value itself, computed now if it was {@linkplain #deferred deferred}. */
    public synchronized Value value() {
        if (pending != null) {
            Value v = Objects.requireNonNull(pending.get(), "deferred server value computed null");
            requireNotFederated(v);
            type.member().checkAssignableFrom(v.type(), "deferred server value");
            value = v;
            pending = null;
        }
        return value;
    }

    /** Whether the value is computed (always, unless {@linkplain #deferred deferred} and not read yet). */
    public synchronized boolean isComputed() {
        return pending == null;
    }

    @Override
    public FederatedType type() {
        return type;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerValue s && s.value().equals(value());
    }

    @Override
    public int hashCode() {
        return value().hashCode();
    }

    @Override
    public String toString() {
        return value() + "@SERVER";
    }
}
