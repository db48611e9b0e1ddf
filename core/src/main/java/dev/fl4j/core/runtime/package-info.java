/**
 * Where federated computations run. A {@link dev.fl4j.core.runtime.FederatedRuntime} owns placement,
 * implements the intrinsics and counts every bit that crosses between server and clients
 * ({@link dev.fl4j.core.runtime.CommunicationStats}); {@link dev.fl4j.core.runtime.LocalRuntime} runs
 * client work on a pool of workers in this JVM and folds client results in client order
 * ({@link dev.fl4j.core.runtime.OrderedFold}), so results are bitwise identical for any worker count.
 * {@link dev.fl4j.core.runtime.Runtimes} is the runtime a computation called like a function runs on.
 * The local runtime's machinery lives in the unexported {@code dev.fl4j.core.internal}.
 */
package dev.fl4j.core.runtime;
