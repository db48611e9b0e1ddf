/**
 * Per-round metrics sinks: CSV, JSON lines, TensorBoard event files, in-memory history, and PNG
 * plots comparing runs.
 */
package dev.fl4j.simulation.metrics;
