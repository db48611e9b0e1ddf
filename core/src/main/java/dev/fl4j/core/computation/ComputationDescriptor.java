package dev.fl4j.core.computation;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What another JVM needs to rebuild a local computation: the name of a {@link ComputationFactory}
 * class, a factory-specific text config, and an optional payload of tensors. Nothing here captures
 * driver-side objects, so a Spark executor or a remote client with the same jars can run client work.
 *
 * <p>On the wire a descriptor is an fl4j value ({@link ValueCodec}) of type
 * {@code <descriptor_version=int32,factory=uint8[?],config=uint8[?],payload=<...>>} where the
 * strings are UTF-8 bytes and an absent payload is the empty structure.
 */
public record ComputationDescriptor(String factory, String config, Value payload) {

    /** The descriptor layout version written by {@link #toBytes()}. */
    public static final int VERSION = 1;

    public ComputationDescriptor {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(config, "config");
    }

    /** A descriptor for {@code factory}'s class. */
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

    public static ComputationDescriptor fromBytes(byte[] bytes) {
        Value v = ValueCodec.decode(bytes);
        if (!(v instanceof Struct s) || !s.has("descriptor_version") || !s.has("factory") || !s.has("config") || !s.has("payload")) {
            throw new MalformedDataException("not a computation descriptor: " + v.type());
        }
        long version = s.tensor("descriptor_version").longValue();
        if (version != VERSION) {
            throw new MalformedDataException("unsupported computation descriptor version " + version + ", this reader knows " + VERSION);
        }
        Value payload = s.get("payload");
        boolean absent = payload instanceof Struct p && p.size() == 0;
        return new ComputationDescriptor(string(s.tensor("factory")), string(s.tensor("config")), absent ? null : payload);
    }

    /** Instantiates the factory class and builds the computation. */
    public LocalComputation rebuild() {
        Class<?> cls;
        try {
            cls = Class.forName(factory);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("computation factory " + factory + " is not on this JVM's class path", e);
        }
        if (!ComputationFactory.class.isAssignableFrom(cls)) {
            throw new IllegalStateException(factory + " is not a " + ComputationFactory.class.getName());
        }
        ComputationFactory f;
        try {
            f = (ComputationFactory) cls.getConstructor().newInstance();
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new IllegalStateException("computation factory " + factory + " needs a public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("computation factory " + factory + " failed to construct", e.getCause());
        }
        return f.create(config, payload);
    }

    private static Tensor utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Tensor.of(b, b.length);
    }

    private static String string(Tensor t) {
        return new String(t.byteData(), StandardCharsets.UTF_8);
    }
}
