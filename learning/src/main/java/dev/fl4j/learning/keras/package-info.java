/**
 * A Keras-like model description library: layers, initializers, losses and metrics as plain values,
 * stacked by {@link dev.fl4j.learning.keras.Sequential} and completed into a
 * {@link dev.fl4j.learning.keras.ModelSpec}, which writes and reads a versioned JSON format. Engines
 * (e.g. {@code dev.fl4j.learning.tensorflow}) turn descriptions into executable models.
 */
package dev.fl4j.learning.keras;
