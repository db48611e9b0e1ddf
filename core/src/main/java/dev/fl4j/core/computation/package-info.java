/**
 * Computations, TFF's {@code tf_computation} and {@code federated_computation}: typed functions whose
 * arguments and results are checked against their declared types. A
 * {@link dev.fl4j.core.computation.FederatedComputation} moves values between server and clients only
 * through the intrinsics of a {@link dev.fl4j.core.computation.FederatedContext}, which is what lets the
 * same body run on any runtime; a {@link dev.fl4j.core.computation.LocalComputation} runs on one
 * placement and sees a {@link dev.fl4j.core.computation.ClientContext}. A local computation that must be
 * rebuilt in another JVM describes itself ({@link dev.fl4j.core.computation.ComputationDescriptor}) by
 * naming a {@link dev.fl4j.core.computation.ComputationFactory} registered as a {@code ServiceLoader} provider.
 */
package dev.fl4j.core.computation;
