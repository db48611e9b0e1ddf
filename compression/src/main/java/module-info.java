/**
 * Encoders that shrink what clients and server send each other; the stages are in the unexported {@code internal}
 * package.
 */
module dev.fl4j.compression {
    requires transitive dev.fl4j.core;

    exports dev.fl4j.compression;
}
