/**
 * fl4j deployment: the server ({@code dev.fl4j.deploy.server}: {@code RemoteRuntime}, the gRPC
 * fleet service, the round driver and its SQLite state) and the client SDK
 * ({@code dev.fl4j.deploy.client}: {@code FederatedClient}), with what both share
 * ({@code dev.fl4j.deploy}: payload chunking and defensive decoding). grpc-java's Netty transport
 * comes shaded in {@code grpc-netty-shaded}, read as an automatic module.
 */
module dev.fl4j.deploy {
    requires transitive dev.fl4j.simulation;
    requires transitive dev.fl4j.deploy.protocol;
    requires transitive dev.fl4j.deploy.security;
    requires transitive dev.fl4j.secagg;
    requires io.grpc.netty.shaded;
    requires java.sql;

    exports dev.fl4j.deploy;
    exports dev.fl4j.deploy.client;
    exports dev.fl4j.deploy.server;
}
