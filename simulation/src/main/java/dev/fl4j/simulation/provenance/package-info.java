/**
 * Provenance of every artefact a run writes: {@link dev.fl4j.simulation.provenance.Provenance} records the
 * fl4j version and git commit, the run's full configuration and seed, the JDK and the model engine, and is
 * embedded in checkpoints, CSV, JSON lines, TensorBoard event files and PNG charts.
 * {@link dev.fl4j.simulation.provenance.ProvenanceReader} reads it back from any of them ({@code fl4j describe}),
 * telling the kind of file by its content; the files are untrusted input, so every format is parsed with
 * bounds (a bounded protocol-buffer reader for TensorBoard's event files) and damage ends
 * in a {@link dev.fl4j.core.io.MalformedDataException}.
 */
package dev.fl4j.simulation.provenance;
