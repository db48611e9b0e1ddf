package dev.fl4j.core.runtime;

import dev.fl4j.core.FederatedType;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Type;
import dev.fl4j.core.computation.LocalComputation;
import java.util.List;

/**
 * A {@code {T}@CLIENTS} value whose members are not computed yet: each member is a function of the
 * same client's members of other client values (a {@code federated_map}, a {@code federated_eval},
 * a {@code federated_zip} of which one field is deferred). {@link PendingClientWork} computes every
 * pending one in a single pass over the clients, feeding the aggregations registered on it, and
 * keeps no member afterwards: once {@link #isDone() done}, a deferred value can no longer be read.
 */
final class DeferredClientValue implements FederatedValue {

    enum Kind {
        MAP,
        EVAL,
        ZIP
    }

    final Kind kind;
    final LocalComputation fn;
    final FederatedValue input;
    final Struct zipped;
    private final FederatedType type;
    private final List<String> ids;
    private boolean done;

    private DeferredClientValue(
            Kind kind, Type memberType, List<String> ids, LocalComputation fn, FederatedValue input, Struct zipped) {
        this.kind = kind;
        this.type = FederatedType.clients(memberType);
        this.ids = List.copyOf(ids);
        this.fn = fn;
        this.input = input;
        this.zipped = zipped;
    }

    static DeferredClientValue map(LocalComputation fn, FederatedValue input, List<String> ids) {
        return new DeferredClientValue(Kind.MAP, fn.type().result(), ids, fn, input, null);
    }

    static DeferredClientValue eval(LocalComputation fn, List<String> ids) {
        return new DeferredClientValue(Kind.EVAL, fn.type().result(), ids, fn, null, null);
    }

    static DeferredClientValue zip(Struct zipped, Type memberType, List<String> ids) {
        return new DeferredClientValue(Kind.ZIP, memberType, ids, null, null, zipped);
    }

    @Override
    public FederatedType type() {
        return type;
    }

    List<String> clientIds() {
        return ids;
    }

    boolean isDone() {
        return done;
    }

    void markDone() {
        done = true;
    }

    /** What made this value, for errors: {@code federated_map of 'train'}. */
    String describe() {
        return switch (kind) {
            case MAP -> "federated_map of '" + fn.name() + "'";
            case EVAL -> "federated_eval of '" + fn.name() + "'";
            case ZIP -> "federated_zip to " + type;
        };
    }

    @Override
    public String toString() {
        return type + " over " + ids.size() + " clients (" + describe() + (done ? ", folded" : ", pending") + ")";
    }
}
