/**
 * The fl4j binary value format ({@link dev.fl4j.core.io.ValueCodec}): how tensors, structures and finite
 * sequences travel between JVMs and into files. Decoding is driven by untrusted bytes, so every length is
 * checked before it sizes an allocation, nesting has a depth limit, and bytes that do not follow the
 * format raise {@link dev.fl4j.core.io.MalformedDataException} saying what was expected, what came and where.
 */
package dev.fl4j.core.io;
