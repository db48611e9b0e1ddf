package dev.fl4j.core.runtime;

/**
 * Makes a runtime named on a command line ({@code --runtime spark:local[2]}): a
 * {@link java.util.ServiceLoader} provider, listed in a
 * {@code META-INF/services/dev.fl4j.core.runtime.RuntimeProvider} resource of the jar that brings
 * the runtime (fl4j-spark brings {@code spark}). {@link RuntimeSpecs#open} compares the name a user
 * gave with the registered providers' {@link #name()}s; no class is loaded by a name that was typed.
 */
public interface RuntimeProvider {

    /** The name before the colon of a runtime spec, e.g. {@code spark}. */
    String name();

    /** What the argument after the colon means, for help and error messages. */
    String argumentHelp();

    /**
     * Opens the runtime.
     *
     * @param argument what followed the colon of the spec, or null when there was none
     * @param workers how many clients the caller asked to run at once (a provider may ignore it)
     * @throws IllegalArgumentException if the argument does not suit this runtime, saying why
     */
    FederatedRuntime open(String argument, int workers);
}
