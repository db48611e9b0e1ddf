package dev.fl4j.core;

import java.util.List;
import java.util.function.Function;

/**
 * A value placed at {@link Placement#SERVER} or {@link Placement#CLIENTS}. Federated values are
 * made by the caller of a federated computation (its placed arguments) and by intrinsics; only
 * intrinsics move them between placements, which is where a runtime counts communication.
 *
 * <p>The local runtime works with {@link ServerValue}, {@link ClientValues} and
 * {@link AllEqualClientValue}, and inside a computation with client values whose work has not run
 * yet (see {@link dev.fl4j.core.runtime.LocalRuntime}); what a computation returns is always one of
 * the three. Other runtimes may hold client values elsewhere (on executors, on devices) behind this
 * same interface.
 */
public interface FederatedValue extends Value {

    @Override
    FederatedType type();

    default Placement placement() {
        return type().placement();
    }

    /** A federated value is never sent whole; intrinsics send its members. */
    @Override
    default long sizeInBits() {
        throw new UnsupportedOperationException("a federated value " + type() + " is not sent whole; its members are");
    }

    /** {@code value@SERVER}. */
    static ServerValue server(Value value) {
        return new ServerValue(value);
    }

    /** One value per client, ids {@code client_0 …}; all members must share one type. */
    static ClientValues clients(List<? extends Value> members) {
        return ClientValues.of(members);
    }

    /**
     * Clients whose values are loaded on demand, on the worker that needs them, so a large population
     * costs memory only for the clients a computation touches.
     */
    static ClientValues clients(Type memberType, List<String> clientIds, Function<String, ? extends Value> loader) {
        return ClientValues.lazy(memberType, clientIds, loader);
    }

    /** {@code value@CLIENTS}: the same value on every client. */
    static AllEqualClientValue clientsAllEqual(Value value) {
        return new AllEqualClientValue(value);
    }
}
