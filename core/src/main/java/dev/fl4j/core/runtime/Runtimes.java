package dev.fl4j.core.runtime;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The runtime used where a program names none (a process's {@code initialize()} or {@code next(state, ...)},
 * or {@code Runtimes.current().invoke(computation, args...)}): the one
 * installed on this thread by {@link #using}, else the process-wide default, which is a
 * {@link LocalRuntime} with one worker per core unless {@link #setDefault} chose another.
 */
public final class Runtimes {

    private static final ThreadLocal<FederatedRuntime> CURRENT = new ThreadLocal<>();
    private static FederatedRuntime defaultRuntime;

    private Runtimes() {}

    /** The runtime for calls on this thread. */
    public static FederatedRuntime current() {
        FederatedRuntime r = CURRENT.get();
        return r != null ? r : defaultRuntime();
    }

    private static synchronized FederatedRuntime defaultRuntime() {
        if (defaultRuntime == null) {
            defaultRuntime = LocalRuntime.builder().build();
        }
        return defaultRuntime;
    }

    /** Replaces the process-wide default (the previous one is not closed). */
    public static synchronized void setDefault(FederatedRuntime runtime) {
        defaultRuntime = Objects.requireNonNull(runtime, "runtime");
    }

    /** Runs {@code work} with {@code runtime} as this thread's current runtime. */
    public static <T> T using(FederatedRuntime runtime, Supplier<T> work) {
        FederatedRuntime previous = CURRENT.get();
        CURRENT.set(Objects.requireNonNull(runtime, "runtime"));
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
