/**
 * Security building blocks for deploying fl4j (a server and clients on other machines), independent of the transport:
 * they make and check files and byte arrays, and know nothing of gRPC.
 *
 * <ul>
 *   <li>{@link dev.fl4j.deploy.security.DevelopmentPki}: a development CA, a server certificate it signs (ECDSA
 *       P-256, SANs for loopback and given hosts) and one Ed25519 key per client, written as PEM files
 *       ({@link dev.fl4j.deploy.security.PkiFiles}) that TLS stacks read; private keys owner-only.</li>
 *   <li>{@link dev.fl4j.deploy.security.ClientKey}: a client's Ed25519 key pair; the client id is the hex SHA-256 of
 *       the public key's encoding, so it is proven by the key, never chosen.</li>
 *   <li>{@link dev.fl4j.deploy.security.AuthorizedKeys}: the client keys a server admits ({@code
 *   authorized_keys}).</li>
 *   <li>{@link dev.fl4j.deploy.security.RequestSigner} (client) and {@link dev.fl4j.deploy.security.RequestVerifier}
 *       (server): each request carries a {@link dev.fl4j.deploy.security.SignedEnvelope} binding protocol version,
 *       client id, method, time, a random nonce and the body's hash under the client's signature; the verifier returns
 *       the authenticated id or refuses with an {@link dev.fl4j.deploy.security.AuthenticationFailedException} naming
 *       the reason (unknown key, bad signature, replay, stale or future time, body or id mismatch, malformed).</li>
 *   <li>{@link dev.fl4j.deploy.security.Pem}: reading and writing the PEM files.</li>
 * </ul>
 *
 * All randomness that protects anyone comes from {@link java.security.SecureRandom}.
 */
package dev.fl4j.deploy.security;
