package dev.fl4j.core;

/**
 * A type of values with a Java class of their own: a tensor type's values are {@link dev.fl4j.core.Tensor}s,
 * a sequence type's {@link dev.fl4j.core.SequenceValue}s, a structure type's {@link dev.fl4j.core.Struct}s
 * and a federated type's {@link dev.fl4j.core.FederatedValue}s. Only a {@link FunctionType} has none.
 *
 * <p>This is what lets a computation's body be typed: {@code LocalComputation.of(name, new SequenceType(f32), f32,
 * readings -> ...)} hands the body a {@code SequenceValue}, because {@code SequenceType} is a
 * {@code TypeOf<SequenceValue>}; the compiler infers the body's parameter type from the declared FC type, so
 * the body needs no cast and cannot ask for a narrower class (such as one particular sequence implementation)
 * than every value of the type is.
 *
 * @param <V> the Java class of the values of this type
 */
public sealed interface TypeOf<V extends Value> extends Type
        permits TensorType, SequenceType, StructType, FederatedType {

    /**
     * The class a typed body receives. A value whose FC type is assignable to this type but that is not an
     * instance of this class (a structure-typed value that is not a {@code Struct}, say) is refused by typed
     * bodies with a {@link TypeMismatchException} before the body runs.
     */
    Class<V> valueClass();
}
