/**
 * Messages and the gRPC {@code Fleet} service of fl4j's deployment protocol, version
 * {@value dev.fl4j.deploy.protocol.ProtocolLimits#VERSION}: generated from
 * {@code fl4j_deploy.proto}, plus {@link dev.fl4j.deploy.protocol.ProtocolLimits} (the version and
 * size limits both sides check). Clients initiate every call; payloads are fl4j value bytes, chunked.
 */
package dev.fl4j.deploy.protocol;
