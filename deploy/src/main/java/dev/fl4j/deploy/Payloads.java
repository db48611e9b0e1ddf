package dev.fl4j.deploy;

import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Structures;
import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.deploy.protocol.Rejection;
import java.util.Collection;

/**
 * Defensive decoding of the payloads the protocol carries, fl4j value bytes ({@link ValueCodec}):
 * a result on the server, a task's argument on the client. Each check has its own reason: bytes
 * that are no fl4j value ({@link Rejection#MALFORMED}), a value of another type or shape than the
 * computation's ({@link Rejection#WRONG_TYPE}), NaN or infinite floats ({@link Rejection#NON_FINITE}).
 * Nothing is allocated from a size the bytes declare without the codec's own bounds checks.
 */
public final class Payloads {

    private Payloads() {}

    /** A client's result for computation result type {@code expected}: finite and of that type. */
    public static Value decodeResult(byte[] bytes, Type expected, String what) {
        Value v = decode(bytes, null, what);
        if (!expected.isAssignableFrom(v.type())) {
            throw new RejectedMessageException(
                    Rejection.WRONG_TYPE, what + " is " + v.type() + ", expected " + expected);
        }
        if (!Structures.isFinite(v)) {
            throw new RejectedMessageException(Rejection.NON_FINITE, what + " holds NaN or infinite values");
        }
        return v;
    }

    /**
     * A task's argument: a structure of {@code parameter}'s fields except {@code dataFields}, which
     * the client fills with its own data.
     */
    public static Struct decodeArgument(
            byte[] bytes, StructType parameter, Collection<String> dataFields, String what) {
        return decodeArgument(bytes, null, parameter, dataFields, what);
    }

    /**
     * As {@link #decodeArgument(byte[], StructType, Collection, String)}, taking the tensors whose bytes are those of
     * {@code like} (null: none) from it ({@link ValueCodec#decode(byte[], ValueCodec.Decoded)}).
     */
    public static Struct decodeArgument(
            byte[] bytes, ValueCodec.Decoded like, StructType parameter, Collection<String> dataFields, String what) {
        Value v = decode(bytes, like, what);
        StructType expected = without(parameter, dataFields);
        if (!(v instanceof Struct s) || !expected.isAssignableFrom(v.type())) {
            throw new RejectedMessageException(
                    Rejection.WRONG_TYPE, what + " is " + v.type() + ", expected " + expected);
        }
        return s;
    }

    /** {@code type} without the named fields, in order. */
    public static StructType without(StructType type, Collection<String> fields) {
        StructType.Builder b = StructType.builder();
        for (StructType.Field f : type.fields()) {
            if (f.name() == null || !fields.contains(f.name())) {
                b.add(f.name(), f.type());
            }
        }
        return b.build();
    }

    private static Value decode(byte[] bytes, ValueCodec.Decoded like, String what) {
        try {
            return like == null ? ValueCodec.decode(bytes) : ValueCodec.decode(bytes, like);
        } catch (MalformedDataException e) {
            throw new RejectedMessageException(
                    Rejection.MALFORMED, what + " is not an fl4j value: " + e.getMessage(), e);
        }
    }

    /** The SHA-256 of {@code bytes} (a result's digest, which the client's request signature covers). */
    public static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
