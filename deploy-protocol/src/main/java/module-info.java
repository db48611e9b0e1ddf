/**
 * The fl4j deployment protocol: protobuf messages and the gRPC {@code Fleet} service, generated at
 * build time from {@code src/main/proto/fl4j_deploy.proto} (protoc and the grpc-java code generator
 * come from Maven Central as artifacts). protobuf-java and grpc-java are read as automatic modules
 * named by their manifests.
 */
module dev.fl4j.deploy.protocol {
    requires transitive com.google.protobuf;
    requires transitive io.grpc;
    requires transitive io.grpc.stub;
    requires transitive io.grpc.protobuf;
    requires transitive com.google.common;

    exports dev.fl4j.deploy.protocol;
}
