/**
 * The fl4j client SDK: {@link dev.fl4j.deploy.client.FederatedClient} connects to an fl4j server,
 * pulls tasks, runs them on its own data and pushes the results; it initiates every call, so it needs
 * only an outbound connection.
 */
package dev.fl4j.deploy.client;
