package dev.fl4j.core.runtime;

import dev.fl4j.core.Placement;
import dev.fl4j.core.Value;
import dev.fl4j.core.computation.ClientContext;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The context of a client that runs shipped client work on its own, as a deployed client does: client 0 on
 * worker 0, fresh worker resources, no client state (setting some is refused).
 */
record StatelessClientContext(String clientId) implements ClientContext {
    @Override
    public Placement placement() {
        return Placement.CLIENTS;
    }

    @Override
    public int clientIndex() {
        return 0;
    }

    @Override
    public int workerIndex() {
        return 0;
    }

    @Override
    public <T> T workerResource(Object key, Supplier<T> factory) {
        return factory.get();
    }

    @Override
    public Optional<Value> clientState(String key) {
        return Optional.empty();
    }

    @Override
    public void setClientState(String key, Value state) {
        throw new IllegalStateException("no state here");
    }
}
