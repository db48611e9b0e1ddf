/**
 * The Federated Core type system, printed in TFF's notation: tensor, structure, sequence, function and
 * federated types, and {@link dev.fl4j.core.types.Placement}. Every value carries its type and every
 * computation declares one, so a mismatch is caught where it happens and reported as a
 * {@link dev.fl4j.core.types.TypeMismatchException} naming the place, the expected and the actual type.
 */
package dev.fl4j.core.types;
