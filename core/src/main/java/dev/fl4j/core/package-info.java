/**
 * The values of the Federated Core: {@link dev.fl4j.core.Tensor}, {@link dev.fl4j.core.Struct},
 * sequences, and the federated values a runtime places at the server or on the clients. Values are
 * immutable and each knows its FC type (package {@code dev.fl4j.core.types}), which computations check
 * at every call. Tensors are engine-neutral (flat primitive arrays), so nothing here depends on
 * TensorFlow; {@link dev.fl4j.core.Structures} maps and zips over the tensor leaves of nested values.
 */
package dev.fl4j.core;
