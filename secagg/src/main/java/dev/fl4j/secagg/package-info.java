/**
 * SecAgg+: the server learns the sum modulo {@code 2^b} of the clients' vectors and nothing else, also
 * when clients drop out, as long as enough remain to unmask.
 *
 * <p><b>Protocol.</b> Four stages, as in Bonawitz et al. 2017 ("Practical Secure Aggregation for
 * Privacy-Preserving Machine Learning"), with each client sharing its secrets only with its neighbours
 * in a random Harary graph (Bell et al. 2020, "Secure Single-Server Aggregation with (Poly)Logarithmic
 * Overhead"): (0) advertise keys: each client sends two X25519 public keys, one for encrypting shares
 * and one for pairwise masks; (1) share keys: each client Shamir-shares its mask private key and a fresh
 * 256-bit self-mask seed among itself and its neighbours, {@code reconstruction_threshold} of
 * {@code num_shares}, encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from the X25519
 * agreement with each neighbour; (2) masked input collection: each client sends
 * {@code y = x + PRG(b) + Σ ±PRG(s_uv) mod 2^b}, the PRG being AES-256-CTR keyed by a 256-bit seed;
 * (3) unmasking: the survivors send, for each neighbour, the self-mask seed share if that neighbour sent
 * its masked input and the mask-key share if it dropped out, never both for one client. The server
 * removes the self masks of the survivors and the pairwise masks the survivors share with the clients
 * that dropped after sharing their keys.
 *
 * <p><b>Threat model.</b> Semi-honest (honest-but-curious) server and clients: the server follows the
 * protocol but would read anything it holds. Each client still checks every message it receives
 * (stage, session, addressing, neighbour lists, ciphertexts, unmasking requests) and refuses a request
 * to reveal both secrets of one client. The malicious-model consistency check (signatures and a
 * consistency round) is not implemented.
 *
 * <p><b>Randomness.</b> Keys, seeds, Shamir coefficients, GCM nonces and the graph come from
 * {@link java.security.SecureRandom}; masks are expanded from 256-bit seeds by AES-CTR. Nothing else
 * generates randomness here.
 *
 * <p><b>Messages.</b> {@link dev.fl4j.secagg.SecAggPlusClient} and {@link dev.fl4j.secagg.SecAggPlusServer}
 * exchange byte arrays in the format {@link dev.fl4j.secagg.SecAggMessages} documents, so any transport
 * can carry them; every received message is parsed defensively and checked against the stage it
 * answers, and a refusal is a {@link dev.fl4j.secagg.SecAggException} naming its
 * {@link dev.fl4j.secagg.SecAggException.Kind}.
 */
package dev.fl4j.secagg;
