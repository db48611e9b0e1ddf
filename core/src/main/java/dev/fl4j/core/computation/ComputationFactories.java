package dev.fl4j.core.computation;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The allow-list of {@link ComputationFactory} implementations a descriptor may name: the providers
 * registered through {@link ServiceLoader}, i.e. listed by class name in a
 * {@code META-INF/services/dev.fl4j.core.computation.ComputationFactory} resource of a jar on this
 * JVM's class path. A descriptor arrives from another JVM (a driver, the network), so its factory
 * name is only ever compared with the registered providers' names; it is never handed to
 * {@code Class.forName}, and no class is loaded, initialized or constructed because a descriptor
 * named it. Only the provider that matches is instantiated.
 */
public final class ComputationFactories {

    private ComputationFactories() {}

    /**
     * A new instance of the registered factory whose class name ({@link Class#getName()}, e.g.
     * {@code com.example.Outer$Factory}) is {@code name}.
     *
     * @throws UnknownComputationFactoryException if no registered factory has that name; the message
     *     lists the registered ones
     */
    public static ComputationFactory resolve(String name) {
        for (ServiceLoader.Provider<ComputationFactory> provider : providers()) {
            if (provider.type().getName().equals(name)) {
                try {
                    return provider.get();
                } catch (ServiceConfigurationError e) {
                    throw new IllegalStateException(
                            "registered computation factory " + name + " cannot be constructed: " + e.getMessage(), e);
                }
            }
        }
        throw new UnknownComputationFactoryException(name, registered());
    }

    /** The class names of the registered factories, in class-path order. */
    public static List<String> registered() {
        List<String> names = new ArrayList<>();
        for (ServiceLoader.Provider<ComputationFactory> provider : providers()) {
            names.add(provider.type().getName());
        }
        return names;
    }

    /** The registered providers; their classes are loaded, not initialized. */
    private static List<ServiceLoader.Provider<ComputationFactory>> providers() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader classLoader = context != null ? context : ComputationFactory.class.getClassLoader();
        try {
            return ServiceLoader.load(ComputationFactory.class, classLoader).stream()
                    .toList();
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("a registered computation factory cannot be loaded: " + e.getMessage(), e);
        }
    }
}
