package dev.fl4j.learning.algorithms;

import dev.fl4j.learning.model.ModelEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The model engines on this JVM's class path, found through {@link ServiceLoader}: an engine is a
 * jar whose {@code META-INF/services/dev.fl4j.learning.model.ModelEngine} resource names its
 * {@link ModelEngine} class (public, with a public no-argument constructor). fl4j's own engine,
 * TensorFlow Java ({@code tensorflow}), is the jar {@value #TENSORFLOW_ENGINE_ARTIFACT}; this module
 * names no engine class, so a second engine is one more jar on the class path, and a client-work
 * description (which names its engine) is rebuilt in another JVM by the engine of that name there.
 *
 * <p>Which engine {@link #defaultEngine()} gives, in this order: the one named by the system property
 * {@value #ENGINE_PROPERTY} if it is set; else the only engine on the class path. With none it fails
 * naming the jar to add; with several and no property it fails naming them, rather than pick one by
 * class-path order. Each call looks the class path up anew and builds new engine instances, which
 * are stateless factories.
 */
public final class ModelEngines {

    /** The system property that chooses the default engine by name, e.g. {@code -Dfl4j.engine=tensorflow}. */
    public static final String ENGINE_PROPERTY = "fl4j.engine";

    /** The Maven coordinates of the TensorFlow Java engine, named when no engine is found. */
    public static final String TENSORFLOW_ENGINE_ARTIFACT = "dev.fl4j:fl4j-learning-tensorflow";

    private ModelEngines() {}

    /**
     * The engine on the class path called {@code name} ({@link ModelEngine#name()}).
     *
     * @throws IllegalStateException if there is no engine on the class path at all (the message names
     *     the jar to add), or two engines share that name
     * @throws IllegalArgumentException if no engine has that name; the message lists the names there are
     */
    public static ModelEngine byName(String name) {
        return named(available(), name);
    }

    /**
     * The engine to use when none is given: the one named by {@value #ENGINE_PROPERTY}, else the
     * only one on the class path.
     *
     * @throws IllegalStateException if there is none, or several and the property does not choose
     */
    public static ModelEngine defaultEngine() {
        return choose(available(), System.getProperty(ENGINE_PROPERTY));
    }

    /** The names of the engines on the class path, in class-path order. */
    public static List<String> names() {
        return names(available());
    }

    /**
     * The selection rule of {@link #defaultEngine()}: {@code requested} (may be null) by name, else the only engine.
     */
    static ModelEngine choose(List<ModelEngine> engines, String requested) {
        if (requested != null && !requested.isBlank()) {
            return named(engines, requested.strip());
        }
        if (engines.isEmpty()) {
            throw noEngine("no model engine to use");
        }
        if (engines.size() > 1) {
            throw new IllegalStateException(
                    "several model engines on the class path, " + names(engines) + ": choose one with -D"
                            + ENGINE_PROPERTY + "=NAME or pass ModelEngines.byName(NAME) to the builder (optEngine)");
        }
        return engines.get(0);
    }

    /** The engine called {@code name} among {@code engines}. */
    static ModelEngine named(List<ModelEngine> engines, String name) {
        if (engines.isEmpty()) {
            throw noEngine("no model engine '" + name + "'");
        }
        ModelEngine found = null;
        for (ModelEngine engine : engines) {
            if (engine.name().equals(name)) {
                if (found != null) {
                    throw new IllegalStateException("two model engines on the class path are called '" + name + "': "
                            + found.getClass().getName() + " and "
                            + engine.getClass().getName() + "; keep one of their jars");
                }
                found = engine;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException(
                    "unknown model engine '" + name + "'; on the class path: " + names(engines));
        }
        return found;
    }

    private static IllegalStateException noEngine(String what) {
        return new IllegalStateException(
                what + ": there is no model engine on the class path. Add the TensorFlow Java engine, the jar "
                        + TENSORFLOW_ENGINE_ARTIFACT + " (module learning-tensorflow), or another jar that registers a "
                        + ModelEngine.class.getName() + " in META-INF/services");
    }

    private static List<String> names(List<ModelEngine> engines) {
        List<String> names = new ArrayList<>(engines.size());
        for (ModelEngine engine : engines) {
            names.add(engine.name());
        }
        return names;
    }

    /** The registered engines, instantiated, in class-path order. */
    private static List<ModelEngine> available() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader classLoader = context != null ? context : ModelEngine.class.getClassLoader();
        List<ModelEngine> engines = new ArrayList<>();
        try {
            for (ModelEngine engine : ServiceLoader.load(ModelEngine.class, classLoader)) {
                engines.add(engine);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("a registered model engine cannot be loaded: " + e.getMessage(), e);
        }
        return engines;
    }
}
