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
 */
package dev.fl4j.compression;
