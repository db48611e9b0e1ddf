package dev.fl4j.core.computation;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What another JVM needs to rebuild a local computation: the class name of a registered
 * {@link ComputationFactory}, a factory-specific text config, and an optional payload of tensors.
 * Nothing here captures driver-side objects, so a Spark executor or a remote client with the same
 * jars can run client work. The receiving side resolves the factory from its allow-list of
 * {@code ServiceLoader} registrations ({@link ComputationFactories}), never by loading the class
 * the bytes name.
 *
 * <p>On the wire a descriptor is an fl4j value ({@link ValueCodec}) of type
 * {@code <descriptor_version=int32,factory=uint8[?],config=uint8[?],payload=<...>>} where the
 * strings are UTF-8 bytes and an absent payload is the empty structure.
 */
public record ComputationDescriptor(String factory, String config, Value payload) {

    /** The descriptor layout version written by {@link #toBytes()}. */
    public static final int VERSION = 1;

    private static final TensorType VERSION_TYPE = TensorType.scalar(DType.INT32);
    private static final TensorType TEXT_TYPE = new TensorType(DType.UINT8, -1);
    private static final String LAYOUT = "<descriptor_version=int32,factory=uint8[?],config=uint8[?],payload=<...>>";

    public ComputationDescriptor {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(config, "config");
    }

    /** A descriptor for {@code factory}'s class, which must be registered for the receiving side to rebuild it. */
    public static ComputationDescriptor of(Class<? extends ComputationFactory> factory, String config, Value payload) {
        return new ComputationDescriptor(factory.getName(), config, payload);
    }

    public byte[] toBytes() {
        return ValueCodec.encode(Struct.builder()
                .add("descriptor_version", Tensor.scalar(VERSION))
                .add("factory", utf8(factory))
                .add("config", utf8(config))
                .add("payload", payload == null ? Struct.empty() : payload)
                .build());
    }

    /**
     * Reads a descriptor written by {@link #toBytes()}.
     *
     * @throws MalformedDataException if the bytes are not an fl4j value of the descriptor's layout;
     *     the message names the field that does not fit
     */
    public static ComputationDescriptor fromBytes(byte[] bytes) {
        Value v = ValueCodec.decode(bytes);
        if (!(v instanceof Struct s)
                || !s.has("descriptor_version")
                || !s.has("factory")
                || !s.has("config")
                || !s.has("payload")) {
            throw new MalformedDataException("not a computation descriptor: " + v.type() + ", expected " + LAYOUT);
        }
        Tensor versionField = field(s, "descriptor_version", VERSION_TYPE);
        int version = versionField.intData()[0];
        if (version != VERSION) {
            throw new MalformedDataException(
                    "unsupported computation descriptor version " + version + ", this reader knows " + VERSION);
        }
        Value payload = s.get("payload");
        boolean absent = payload instanceof Struct p && p.size() == 0;
        return new ComputationDescriptor(
                string(field(s, "factory", TEXT_TYPE)), string(field(s, "config", TEXT_TYPE)), absent ? null : payload);
    }

    private static Tensor field(Struct s, String name, TensorType expected) {
        Value v = s.get(name);
        if (!expected.isAssignableFrom(v.type())) {
            throw new MalformedDataException(
                    "computation descriptor field '" + name + "' is " + v.type() + ", expected " + expected);
        }
        return (Tensor) v;
    }

    /**
     * Builds the computation with the registered factory this descriptor names. The name is looked
     * up among the factories registered through {@code ServiceLoader} ({@link ComputationFactories});
     * no other class is loaded or initialized.
     *
     * @throws UnknownComputationFactoryException if the factory is not registered on this JVM
     * @throws MalformedDataException if the factory cannot build a computation from this config and
     *     payload (the cause is the factory's own exception)
     */
    public LocalComputation rebuild() {
        ComputationFactory f = ComputationFactories.resolve(factory);
        try {
            return f.create(config, payload);
        } catch (RuntimeException e) {
            throw new MalformedDataException(
                    "computation factory " + factory + " cannot build from its descriptor: " + e.getMessage(), e);
        }
    }

    private static Tensor utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }

    private static String string(Tensor t) {
        return new String(t.byteData(), StandardCharsets.UTF_8);
    }
}
