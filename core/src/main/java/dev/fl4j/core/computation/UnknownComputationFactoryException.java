package dev.fl4j.core.computation;

import java.util.List;

/**
 * A {@link ComputationDescriptor} names a factory that is not registered on this JVM (see
 * {@link ComputationFactories}). The message names the factory and lists the registered ones.
 */
public class UnknownComputationFactoryException extends IllegalArgumentException {

    private final String factory;

    public UnknownComputationFactoryException(String factory, List<String> registered) {
        super("computation factory '" + factory + "' is not registered on this JVM; registered: "
                + (registered.isEmpty() ? "none" : String.join(", ", registered))
                + " (a factory registers itself in META-INF/services/" + ComputationFactory.class.getName() + ")");
        this.factory = factory;
    }

    /** The factory name the descriptor gave. */
    public String factory() {
        return factory;
    }
}
