package dev.fl4j.core.runtime;

/** Which way bits cross. */
public enum Direction {
    /** SERVER → CLIENTS. */
    BROADCAST,
    /** CLIENTS → SERVER. */
    AGGREGATION
}
