/**
 * The simulation loop, TFF's {@code run_training_process}: {@link dev.fl4j.simulation.training.TrainingLoop}
 * runs a learning process for a number of rounds, sampling each round's cohort
 * ({@link dev.fl4j.simulation.training.ClientSampler}, with simulated drop-outs), preprocessing each
 * client's data from the run seed, evaluating the global model and checkpointing. Every random choice
 * derives from the run seed and its place (round, client), so a run is bitwise reproducible for any
 * number of workers; {@link dev.fl4j.simulation.training.RoundListener} lets a caller follow it.
 */
package dev.fl4j.simulation.training;
