package dev.fl4j.core.computation;

import dev.fl4j.core.io.MalformedDataException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The allow-list of {@link ShippableAggregationFactory} implementations an aggregation's descriptor
 * may name: the providers registered through {@link ServiceLoader} on this JVM. As with
 * {@link ComputationFactories}, a name that arrived is only compared with the registered providers'
 * names; it is never handed to {@code Class.forName}, and only the provider that matches is
 * instantiated.
 */
public final class ShippableAggregationFactories {

    private ShippableAggregationFactories() {}

    /**
     * Rebuilds the aggregation {@code descriptor} describes with the registered factory it names.
     *
     * @throws MalformedDataException if no registered factory has that name (the message lists the
     *     registered ones), or the factory cannot build from the descriptor's config and payload
     */
    public static ShippableAggregation<?> rebuild(ComputationDescriptor descriptor) {
        ShippableAggregationFactory factory = resolve(descriptor.factory());
        ShippableAggregation<?> aggregation;
        try {
            aggregation = factory.create(descriptor.config(), descriptor.payload());
        } catch (RuntimeException e) {
            throw new MalformedDataException(
                    "aggregation factory " + descriptor.factory() + " cannot build from its descriptor: "
                            + e.getMessage(),
                    e);
        }
        if (aggregation == null) {
            throw new MalformedDataException("aggregation factory " + descriptor.factory() + " built nothing");
        }
        return aggregation;
    }

    private static ShippableAggregationFactory resolve(String name) {
        List<String> registered = new ArrayList<>();
        for (ServiceLoader.Provider<ShippableAggregationFactory> provider : providers()) {
            if (provider.type().getName().equals(name)) {
                try {
                    return provider.get();
                } catch (ServiceConfigurationError e) {
                    throw new IllegalStateException(
                            "registered aggregation factory " + name + " cannot be constructed: " + e.getMessage(), e);
                }
            }
            registered.add(provider.type().getName());
        }
        throw new MalformedDataException(
                "aggregation factory '" + name + "' is not registered on this JVM; registered: "
                        + (registered.isEmpty() ? "none" : String.join(", ", registered))
                        + " (a factory registers itself in META-INF/services/"
                        + ShippableAggregationFactory.class.getName() + ")");
    }

    /** The class names of the registered factories, in class-path order. */
    public static List<String> registered() {
        List<String> names = new ArrayList<>();
        for (ServiceLoader.Provider<ShippableAggregationFactory> provider : providers()) {
            names.add(provider.type().getName());
        }
        return names;
    }

    private static List<ServiceLoader.Provider<ShippableAggregationFactory>> providers() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader classLoader = context != null ? context : ShippableAggregationFactory.class.getClassLoader();
        try {
            return ServiceLoader.load(ShippableAggregationFactory.class, classLoader).stream()
                    .toList();
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("a registered aggregation factory cannot be loaded: " + e.getMessage(), e);
        }
    }
}
