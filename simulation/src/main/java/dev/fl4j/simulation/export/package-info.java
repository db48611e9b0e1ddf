/**
 * The trained model out of fl4j: {@link dev.fl4j.simulation.export.ModelExport} writes a global model in the model
 * engine's serving format (TensorFlow: a SavedModel) with the run's provenance beside it, and reads that provenance
 * back; the model itself is read through the engine's loader of that format
 * ({@link dev.fl4j.learning.model.ModelEngine#openExported}).
 */
package dev.fl4j.simulation.export;
