/**
 * Checkpoints of a training run, so that a run resumed after round {@code r} continues exactly as if it
 * had never stopped. A checkpoint holds the process state (its placements stripped, see
 * {@link dev.fl4j.simulation.checkpoint.ServerStates}), the communication count and the rounds' metrics,
 * in a versioned file format whose header carries a length and a SHA-256 of the payload; the run's
 * configuration fingerprint is stored too, so resuming with different settings is refused
 * ({@link dev.fl4j.simulation.checkpoint.CheckpointMismatchException}) rather than silently mixed.
 */
package dev.fl4j.simulation.checkpoint;
