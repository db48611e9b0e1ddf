/**
 * Where federated computations run. A {@link dev.fl4j.core.runtime.FederatedRuntime} owns placement,
 * implements the intrinsics and counts every bit that crosses between server and clients
 * ({@link dev.fl4j.core.runtime.CommunicationStats}); {@link dev.fl4j.core.runtime.LocalRuntime} runs
 * client work on a pool of workers in this JVM and folds client results in client order
 * ({@link dev.fl4j.core.runtime.OrderedFold}), so results are bitwise identical for any worker count.
 * A program runs a computation with {@code runtime.invoke(computation, args...)};
 * {@link dev.fl4j.core.runtime.Runtimes} is the runtime used where none is named (a process's
 * {@code initialize()} or {@code next(state, ...)}). The local runtime's machinery (invocations, the worker
 * pool, client folds) is package-private here: it uses the runtime's ledgers and the runtime uses it, and
 * computations (the package below) know no runtime, so core's packages form no cycle.
 */
package dev.fl4j.core.runtime;
