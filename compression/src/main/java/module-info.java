/**
 * Encoders that shrink what clients and server send each other; the stages are in the unexported {@code internal}
 * package.
 */
module dev.fl4j.compression {
    requires transitive dev.fl4j.core;
    // optional: the vector kernels run only when the JVM adds this incubating module (see the package documentation)
    requires static jdk.incubator.vector;

    exports dev.fl4j.compression;
}
