package dev.fl4j.core.computation;

import dev.fl4j.core.Placement;
import dev.fl4j.core.Value;
import java.util.Optional;
import java.util.function.Supplier;

/** The context of a local computation called directly, outside any runtime: resources live for the call. */
final class StandaloneContext implements ClientContext, AutoCloseable {

    private final WorkerResources resources = new WorkerResources();

    @Override
    public Placement placement() {
        return Placement.SERVER;
    }

    @Override
    public int clientIndex() {
        return -1;
    }

    @Override
    public String clientId() {
        return null;
    }

    @Override
    public int workerIndex() {
        return 0;
    }

    @Override
    public <T> T workerResource(Object key, Supplier<T> factory) {
        return resources.get(key, factory);
    }

    @Override
    public Optional<Value> clientState(String key) {
        throw noClient();
    }

    @Override
    public void setClientState(String key, Value state) {
        throw noClient();
    }

    private static IllegalStateException noClient() {
        return new IllegalStateException(
                "client state exists only for client work run by a federated runtime (federated_map over CLIENTS),"
                        + " not for a local computation called directly");
    }

    @Override
    public void close() {
        resources.close();
    }
}
