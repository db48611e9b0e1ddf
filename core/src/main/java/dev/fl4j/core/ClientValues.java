package dev.fl4j.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One value per client, {@code {T}@CLIENTS}, held in this JVM: either given up front or loaded on
 * demand by client id. Member {@code i} belongs to client {@link #clientId(int)}; the order of
 * clients is the order results and accumulations follow, which keeps runs deterministic.
 *
 * <p>A lazy loader is called from worker threads, possibly concurrently for different clients, and
 * must be thread-safe. It may be called more than once for the same client if a computation reads
 * the client's value twice.
 */
public final class ClientValues implements FederatedValue {

    private final FederatedType type;
    private final List<String> ids;
    private final List<Value> members;
    private final Function<String, ? extends Value> loader;

    private ClientValues(
            Type memberType, List<String> ids, List<Value> members, Function<String, ? extends Value> loader) {
        this.type = FederatedType.clients(memberType);
        this.ids = List.copyOf(ids);
        if (new HashSet<>(this.ids).size() != this.ids.size()) {
            throw new IllegalArgumentException("client ids must be unique");
        }
        this.members = members;
        this.loader = loader;
    }

    /** Members given up front, with ids {@code client_0, client_1, …}. */
    public static ClientValues of(List<? extends Value> members) {
        List<String> ids = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            ids.add("client_" + i);
        }
        return of(ids, members);
    }

    /** Members given up front with their client ids. All members must have the same type. */
    public static ClientValues of(List<String> ids, List<? extends Value> members) {
        if (ids.size() != members.size()) {
            throw new IllegalArgumentException(ids.size() + " client ids for " + members.size() + " values");
        }
        if (members.isEmpty()) {
            throw new IllegalArgumentException(
                    "a CLIENTS value needs at least one client; use of(memberType, …) for an empty population");
        }
        Type memberType =
                Objects.requireNonNull(members.get(0), "value of " + ids.get(0)).type();
        return of(memberType, ids, members);
    }

    /** Members given up front, each checked against {@code memberType}. */
    public static ClientValues of(Type memberType, List<String> ids, List<? extends Value> members) {
        if (ids.size() != members.size()) {
            throw new IllegalArgumentException(ids.size() + " client ids for " + members.size() + " values");
        }
        for (int i = 0; i < members.size(); i++) {
            Value m = Objects.requireNonNull(members.get(i), "value of " + ids.get(i));
            if (m instanceof FederatedValue) {
                throw new IllegalArgumentException("client " + ids.get(i) + " holds a federated value " + m.type());
            }
            if (!memberType.isAssignableFrom(m.type())) {
                throw new TypeMismatchException("value of client " + ids.get(i), memberType, m.type());
            }
        }
        return new ClientValues(memberType, ids, List.copyOf(members), null);
    }

    /** Members loaded on demand by client id. */
    public static ClientValues lazy(Type memberType, List<String> ids, Function<String, ? extends Value> loader) {
        return new ClientValues(memberType, ids, null, Objects.requireNonNull(loader, "loader"));
    }

    @Override
    public FederatedType type() {
        return type;
    }

    public Type memberType() {
        return type.member();
    }

    /** Number of clients. */
    public int count() {
        return ids.size();
    }

    public String clientId(int index) {
        return ids.get(index);
    }

    public List<String> clientIds() {
        return ids;
    }

    /**
     * The value of client {@code index}, loading it if this value is lazy; a loaded value is checked
     * against the member type.
     */
    public Value member(int index) {
        if (members != null) {
            return members.get(index);
        }
        String id = ids.get(index);
        Value v = loader.apply(id);
        if (v == null) {
            throw new IllegalStateException("loader returned no value for client " + id);
        }
        if (!type.member().isAssignableFrom(v.type())) {
            throw new TypeMismatchException("value loaded for client " + id, type.member(), v.type());
        }
        return v;
    }

    /** Whether members are loaded on demand. */
    public boolean isLazy() {
        return members == null;
    }

    /**
     * The loader of a lazy value (empty when members were given up front): a runtime that can load
     * clients where they train asks whether it is a {@link dev.fl4j.core.runtime.PortableClientLoader}.
     */
    public java.util.Optional<Function<String, ? extends Value>> loader() {
        return java.util.Optional.ofNullable(loader);
    }

    @Override
    public String toString() {
        return type + " over " + ids.size() + " clients";
    }
}
