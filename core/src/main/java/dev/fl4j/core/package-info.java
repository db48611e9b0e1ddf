/**
 * The values of the Federated Core and their types. Values: {@link dev.fl4j.core.Tensor},
 * {@link dev.fl4j.core.Struct}, sequences, and the federated values a runtime places at the server or on
 * the clients. Values are immutable and each knows its FC type, which computations check at every call.
 * Tensors are engine-neutral (flat primitive arrays), so nothing here depends on TensorFlow;
 * {@link dev.fl4j.core.Structures} maps and zips over the tensor leaves of nested values.
 *
 * <p>Types, printed in TFF's notation: tensor, structure, sequence, function and federated types,
 * {@link dev.fl4j.core.DType} and {@link dev.fl4j.core.Placement}. Every value carries its type and every
 * computation declares one, so a mismatch is caught where it happens and reported as a
 * {@link dev.fl4j.core.TypeMismatchException} naming the place, the expected and the actual type.
 *
 * <p>Values and types share this package because they name each other: a value knows its type
 * ({@code Value.type()}), and a type names the Java class of its values ({@link dev.fl4j.core.TypeOf}), which
 * is what lets a computation's body receive a {@code SequenceValue} without a cast. In two packages they
 * would form a cycle.
 */
package dev.fl4j.core;
