package dev.fl4j.core.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Opens a runtime from a spec such as {@code local}, {@code spark} or {@code spark:local[2]}: the
 * name before the first colon picks {@link LocalRuntime} ({@code local}) or a registered
 * {@link RuntimeProvider}, the rest is that runtime's argument.
 */
public final class RuntimeSpecs {

    private RuntimeSpecs() {}

    /**
     * @throws IllegalArgumentException naming the runtimes there are when none has the spec's name,
     *     or the provider's reason when its argument does not suit it
     */
    public static FederatedRuntime open(String spec, int workers) {
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String argument = colon < 0 ? null : spec.substring(colon + 1);
        if (name.equals("local")) {
            if (argument != null) {
                throw new IllegalArgumentException("runtime 'local' takes no argument, got '" + argument
                        + "' (the number of workers is its own option)");
            }
            return LocalRuntime.builder().optWorkers(workers).build();
        }
        List<String> known = new ArrayList<>(List.of("local"));
        for (RuntimeProvider p : providers()) {
            if (p.name().equals(name)) {
                return p.open(argument, workers);
            }
            known.add(p.name() + "[:" + p.argumentHelp() + "]");
        }
        throw new IllegalArgumentException("unknown runtime '" + name + "'; this class path has " + known
                + (name.equals("spark")
                        ? " (the spark runtime is the fl4j-spark jar and Spark's; ./fl4j adds them when"
                                + " the command line names spark)"
                        : ""));
    }

    private static List<RuntimeProvider> providers() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader loader = context != null ? context : RuntimeProvider.class.getClassLoader();
        try {
            List<RuntimeProvider> out = new ArrayList<>();
            ServiceLoader.load(RuntimeProvider.class, loader).forEach(out::add);
            return out;
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("a registered runtime provider cannot be loaded: " + e.getMessage(), e);
        }
    }
}
