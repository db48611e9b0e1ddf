/**
 * Compression of tensors and structures for federated communication, with exact encoded sizes:
 * TFF's {@code tensor_encoding} for Java.
 *
 * <ul>
 *   <li>{@link dev.fl4j.compression.EncodingStage}: one reversible step (encode, decode from side
 *       information, whether it commutes with sum, optional state carried across rounds). Built-in
 *       stages are made by {@link dev.fl4j.compression.Stages}; users implement the interface with
 *       ids from 128.</li>
 *   <li>{@link dev.fl4j.compression.TensorEncoder}: a type-checked chain of stages that turns one
 *       float tensor into a flat uint8 tensor (versioned, self-describing header, side information,
 *       payload) and back; its {@code sizeInBits()} is what crosses the wire.</li>
 *   <li>{@link dev.fl4j.compression.ValueEncoder}: applies a tensor encoder to every floating leaf
 *       of a structure above a size threshold, restoring structure, shapes and dtypes on decode.</li>
 *   <li>{@link dev.fl4j.compression.Encoders}: named presets ({@code uniform8}, {@code drive},
 *       {@code topk:0.01}, ...) for command lines and configs.</li>
 * </ul>
 *
 * Randomness (stochastic rounding, rotations, random indices) derives only from the seed the caller
 * passes, so equal seeds give equal bytes; it protects no one. Decoders throw
 * {@link dev.fl4j.compression.MalformedEncodingException} for any bytes they did not write.
 * {@code dev.fl4j.compression.internal} holds the stage implementations and is not API.
 *
 * <p><b>Vector kernels.</b> The Hadamard rotation, DRIVE's sign quantizer and Lloyd–Max at 1 and 2 bits have hot
 * loops in two versions: scalar Java, and JDK 17's incubating Vector API ({@code jdk.incubator.vector}). The vector
 * versions run when the JVM was started with {@code --add-modules jdk.incubator.vector} (with the {@code fl4j}
 * launcher: {@code FL4J_JAVA_OPTS=--add-modules=jdk.incubator.vector}) and the CPU has 512-bit vectors (AVX-512),
 * unless the system property {@code fl4j.compression.scalar} is {@code true} ({@code
 * -Dfl4j.compression.scalar=true}); in any other JVM the scalar versions run and the module is not needed. The
 * choice is made once, when a codec first runs. Both give the same bytes and floats, bit for bit; the vector
 * versions are about twice as fast once compiled, but until the JIT compiler has compiled them (the first few calls
 * on a large tensor) they run many times slower than scalar code, so they pay off in long runs (hundreds of codec
 * calls per JVM) and are opt-in.
 */
package dev.fl4j.compression;
