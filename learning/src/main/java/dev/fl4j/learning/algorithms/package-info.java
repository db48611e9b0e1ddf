/**
 * The federated learning algorithms, TFF's {@code tff.learning.algorithms}: FedAvg, FedProx, FedOpt
 * (FedAdam, FedYogi, FedAdagrad), FedSGD and federated evaluation, each built as a
 * {@link dev.fl4j.learning.templates.LearningProcess} from a distributor, client work, an aggregator and a
 * finalizer. What a client runs ({@link dev.fl4j.learning.algorithms.ClientTraining}) is a local
 * computation that describes itself, so another JVM can rebuild it; the model engine that trains is
 * found at run time ({@link dev.fl4j.learning.algorithms.ModelEngines}), never named here.
 */
package dev.fl4j.learning.algorithms;
