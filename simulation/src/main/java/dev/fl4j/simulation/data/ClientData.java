package dev.fl4j.simulation.data;

import dev.fl4j.core.ClientValues;
import dev.fl4j.core.FederatedValue;
import dev.fl4j.core.SequenceType;
import dev.fl4j.core.Type;
import dev.fl4j.core.TypeMismatchException;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A federated dataset: a population of clients, each with its own {@link Dataset}. TFF's
 * {@code tff.simulation.datasets.ClientData}: {@link #clientIds()}, {@link #datasetFor(String)}
 * ({@code create_tf_dataset_for_client}), {@link #preprocess}, {@link #trainTestClientSplit}.
 *
 * <p><b>Lazy.</b> A client's data is read or built only when {@link #datasetFor} is called, and is
 * not kept afterwards, so a population of 100,000 clients costs memory for the ids plus the clients
 * a round touches. {@link #clientValues(List)} hands a selection to a federated computation as a
 * lazy {@code {T*}@CLIENTS} value, loaded on the worker that trains the client.
 *
 * <p>Implementations must be thread-safe: {@code datasetFor} is called from worker threads.
 */
public abstract class ClientData {

    /** The client ids, in a fixed order (the order sampling and results follow). */
    public abstract List<String> clientIds();

    /** The type of every element of every client's dataset, e.g. {@code <x=float32[28,28,1],y=int32>}. */
    public abstract Type elementType();

    /**
     * The dataset of client {@code clientId}, loaded now. Each call loads afresh; datasets are not
     * cached here.
     *
     * @throws IllegalArgumentException if there is no such client
     */
    public abstract Dataset datasetFor(String clientId);

    /** The type of a client's dataset as an FC value, {@code T*}. */
    public SequenceType datasetType() {
        return new SequenceType(elementType());
    }

    /**
     * The same clients with {@code fn} applied to each client's dataset when it is loaded (TFF's
     * {@code ClientData.preprocess}), e.g. {@code d -> d.repeat(5).shuffle(100, seed).batch(20)}.
     * The new element type is found by applying {@code fn} once to an empty dataset of the current
     * element type (or, if that type is not a structure of plain tensors, to the first client's
     * dataset); the pipeline is built, not iterated, so {@code fn} must not read its input.
     */
    public ClientData preprocess(Function<? super Dataset, ? extends Dataset> fn) {
        return new Preprocessed(this, Objects.requireNonNull(fn, "fn"));
    }

    /** The clients {@code ids} only, in the given order; every id must exist. */
    public ClientData subset(List<String> ids) {
        Set<String> all = new HashSet<>(clientIds());
        for (String id : ids) {
            if (!all.contains(id)) {
                throw new IllegalArgumentException("no client '" + id + "' among " + all.size() + " clients");
            }
        }
        return new Subset(this, ids);
    }

    /** Train and test populations with disjoint clients. */
    public record Split(ClientData train, ClientData test) {}

    /**
     * Splits the population by clients: {@code numTestClients} clients drawn uniformly (seeded)
     * form the test population, the rest the training one; both keep the original id order.
     * TFF's {@code train_test_client_split}.
     */
    public Split trainTestClientSplit(int numTestClients, long seed) {
        List<String> ids = clientIds();
        if (numTestClients <= 0 || numTestClients >= ids.size()) {
            throw new IllegalArgumentException("numTestClients must be in [1, " + (ids.size() - 1) + "] for "
                    + ids.size() + " clients, got " + numTestClients);
        }
        int[] order = new int[ids.size()];
        Arrays.setAll(order, i -> i);
        new SplitMix64(Seeds.derive(seed, Seeds.purpose("client_data/train_test_split"))).shuffle(order);
        boolean[] test = new boolean[ids.size()];
        for (int i = 0; i < numTestClients; i++) {
            test[order[i]] = true;
        }
        List<String> trainIds = new ArrayList<>();
        List<String> testIds = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            (test[i] ? testIds : trainIds).add(ids.get(i));
        }
        return new Split(subset(trainIds), subset(testIds));
    }

    /**
     * The datasets of {@code ids} as one lazy federated value {@code {T*}@CLIENTS}: a client's data
     * is loaded only when a computation reads that member.
     */
    public ClientValues clientValues(List<String> ids) {
        Set<String> all = new HashSet<>(clientIds());
        for (String id : ids) {
            if (!all.contains(id)) {
                throw new IllegalArgumentException("no client '" + id + "' among " + all.size() + " clients");
            }
        }
        return FederatedValue.clients(datasetType(), ids, this::datasetFor);
    }

    /**
     * All clients' data as one dataset, client after client in id order, each loaded when reached
     * (TFF's {@code create_tf_dataset_from_all_clients}). Elements are values one by one, so batch
     * the clients' datasets (with {@link #preprocess}) before concatenating large populations.
     */
    public Dataset datasetFromAllClients() {
        List<Dataset> parts = new ArrayList<>();
        for (String id : clientIds()) {
            parts.add(new LazyDataset(elementType(), () -> datasetFor(id)));
        }
        return Dataset.concatenate(elementType(), parts);
    }

    /** Clients whose datasets are given up front, in the map's iteration order. */
    public static ClientData fromMap(Map<String, ? extends Dataset> datasets) {
        if (datasets.isEmpty()) {
            throw new IllegalArgumentException("client data needs at least one client");
        }
        Map<String, Dataset> copy = new LinkedHashMap<>(datasets);
        Type type = copy.values().iterator().next().elementType();
        copy.forEach((id, d) -> {
            if (!type.isAssignableFrom(d.elementType()) || !d.elementType().isAssignableFrom(type)) {
                throw new TypeMismatchException("dataset of client " + id, type, d.elementType());
            }
        });
        return fromFunction(List.copyOf(copy.keySet()), type, copy::get);
    }

    /** Clients whose data is given as {@link Examples}, in the map's iteration order. */
    public static ClientData fromExamples(Map<String, Examples> examples) {
        Map<String, Dataset> m = new LinkedHashMap<>();
        examples.forEach((id, e) -> m.put(id, Dataset.of(e)));
        return fromMap(m);
    }

    /**
     * Clients {@code ids} whose datasets {@code load} makes on demand (TFF's
     * {@code from_clients_and_tf_fn}). {@code load} must be thread-safe; each result is checked
     * against {@code elementType}.
     */
    public static ClientData fromFunction(
            List<String> ids, Type elementType, Function<String, ? extends Dataset> load) {
        return new FromFunction(ids, elementType, load);
    }

    private static final class FromFunction extends ClientData {
        private final List<String> ids;
        private final Set<String> idSet;
        private final Type elementType;
        private final Function<String, ? extends Dataset> load;

        FromFunction(List<String> ids, Type elementType, Function<String, ? extends Dataset> load) {
            this.ids = List.copyOf(ids);
            this.idSet = new HashSet<>(this.ids);
            if (idSet.size() != this.ids.size()) {
                throw new IllegalArgumentException("client ids must be unique");
            }
            if (this.ids.isEmpty()) {
                throw new IllegalArgumentException("client data needs at least one client");
            }
            this.elementType = Objects.requireNonNull(elementType, "elementType");
            this.load = Objects.requireNonNull(load, "load");
        }

        @Override
        public List<String> clientIds() {
            return ids;
        }

        @Override
        public Type elementType() {
            return elementType;
        }

        @Override
        public Dataset datasetFor(String clientId) {
            if (!idSet.contains(clientId)) {
                throw new IllegalArgumentException("no client '" + clientId + "' among " + ids.size() + " clients");
            }
            Dataset d = load.apply(clientId);
            if (d == null) {
                throw new IllegalStateException("no dataset was made for client '" + clientId + "'");
            }
            if (!elementType.isAssignableFrom(d.elementType())) {
                throw new TypeMismatchException(
                        "dataset elements of client '" + clientId + "'", elementType, d.elementType());
            }
            return d;
        }
    }

    /**
     * Some clients of a population: loaded as the population loads them, so {@link #clientValues} keeps the
     * population's loader (a {@link dev.fl4j.core.runtime.PortableClientLoader} still loads clients where they train).
     */
    private static final class Subset extends ClientData {
        private final ClientData base;
        private final FromFunction clients;

        Subset(ClientData base, List<String> ids) {
            this.base = base;
            this.clients = new FromFunction(ids, base.elementType(), base::datasetFor);
        }

        @Override
        public List<String> clientIds() {
            return clients.clientIds();
        }

        @Override
        public Type elementType() {
            return clients.elementType();
        }

        @Override
        public Dataset datasetFor(String clientId) {
            return clients.datasetFor(clientId);
        }

        @Override
        public ClientValues clientValues(List<String> ids) {
            for (String id : ids) {
                if (!clients.idSet.contains(id)) {
                    throw new IllegalArgumentException(
                            "no client '" + id + "' among " + clients.ids.size() + " clients");
                }
            }
            return base.clientValues(ids);
        }
    }

    private static final class Preprocessed extends ClientData {
        private final ClientData base;
        private final Function<? super Dataset, ? extends Dataset> fn;
        private volatile Type elementType;

        Preprocessed(ClientData base, Function<? super Dataset, ? extends Dataset> fn) {
            this.base = base;
            this.fn = fn;
        }

        @Override
        public List<String> clientIds() {
            return base.clientIds();
        }

        @Override
        public Type elementType() {
            Type t = elementType;
            if (t == null) {
                Examples empty = Examples.emptyOf(base.elementType());
                Dataset probe = empty != null
                        ? fn.apply(Dataset.of(empty))
                        : apply(base.clientIds().get(0));
                if (probe == null) {
                    throw new IllegalStateException("preprocess function returned no dataset");
                }
                t = probe.elementType();
                elementType = t;
            }
            return t;
        }

        private Dataset apply(String id) {
            Dataset d = fn.apply(base.datasetFor(id));
            if (d == null) {
                throw new IllegalStateException("preprocess function returned no dataset for client '" + id + "'");
            }
            return d;
        }

        @Override
        public Dataset datasetFor(String clientId) {
            Dataset d = apply(clientId);
            Type t = elementType();
            if (!t.isAssignableFrom(d.elementType())) {
                throw new TypeMismatchException(
                        "preprocessed dataset of client '" + clientId + "'", t, d.elementType());
            }
            return d;
        }
    }
}
