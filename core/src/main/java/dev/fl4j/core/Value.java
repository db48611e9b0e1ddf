package dev.fl4j.core;

/**
 * A value of the Federated Core: a {@link Tensor}, a {@link Struct} of values, a
 * {@link SequenceValue}, or a federated value owned by a runtime.
 *
 * <p>Values are immutable. Every value knows its FC {@link Type}; computations and intrinsics check
 * that type against what they declare before they run.
 */
public interface Value {

    /** The FC type of this value. */
    Type type();

    /**
     * The number of bits this value occupies when sent uncompressed: the sum over its tensors of
     * elements × {@link DType#bits()}. Sequences and federated values are not sent whole and throw
     * {@link UnsupportedOperationException}.
     */
    long sizeInBits();
}
