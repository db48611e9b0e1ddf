/**
 * The fl4j server: {@link dev.fl4j.deploy.server.DeployServer} (the gRPC {@code Fleet} service and
 * the round driver), {@link dev.fl4j.deploy.server.RemoteRuntime} (a {@code FederatedRuntime} whose
 * described client work runs on remote clients, folded in client order as results arrive), and
 * {@link dev.fl4j.deploy.server.ServerStore} (registered clients and the round log in SQLite).
 */
package dev.fl4j.deploy.server;
