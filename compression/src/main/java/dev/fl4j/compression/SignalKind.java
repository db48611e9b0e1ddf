package dev.fl4j.compression;

/**
 * What a {@link Signal} between two encoding stages holds. A chain starts from {@link #FLOATS} (the
 * flattened tensor), may turn floats into {@link #SYMBOLS} (quantization), and ends in
 * {@link #BYTES}, the payload that crosses the wire.
 */
public enum SignalKind {
    /** float32 values. */
    FLOATS,
    /** Integer symbols in {@code [0, levels)}. */
    SYMBOLS,
    /** Serialized bytes; only the last stage of a chain produces them. */
    BYTES
}
