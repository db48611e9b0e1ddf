package dev.fl4j.deploy.security;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The client side of request authentication: signs each request with the client's Ed25519 key into a
 * {@link SignedEnvelope} (at most {@value SignedEnvelope#MAX_BYTES} bytes) that travels beside the request, for example
 * in a binary header.
 *
 * <p>Each envelope carries the protocol version, the client id, the clock's time, a fresh 128-bit nonce from a
 * {@link SecureRandom}, and the SHA-256 of the request body; the signature covers those and the method name (see
 * {@link SignedEnvelope#signedBytes}). A {@link RequestVerifier} accepts an envelope once, for that method and body,
 * within its freshness window. Thread-safe.
 *
 * <p>Signatures are Ed25519 (RFC 8032, pure), made with BouncyCastle's implementation and the key's parameters decoded
 * once: Ed25519 signatures are deterministic, so these are bit for bit the signatures the JDK's {@code Ed25519}
 * {@link java.security.Signature} makes, at a fraction of the CPU (the JDK's derives the public key again on every
 * {@code initSign}). A client signs each request it sends, a heartbeat a second among them.
 */
public final class RequestSigner {

    private final ClientKey key;
    private final Ed25519PrivateKeyParameters signing;
    private final int protocolVersion;
    private final Clock clock;
    private final SecureRandom random;

    /** A signer for {@code key} and protocol {@code protocolVersion}, with the system clock and a new SecureRandom. */
    public RequestSigner(ClientKey key, int protocolVersion) {
        this(key, protocolVersion, Clock.systemUTC(), new SecureRandom());
    }

    /** A signer for {@code key} and protocol {@code protocolVersion} (0 to 65535) stamping {@code clock}'s time. */
    public RequestSigner(ClientKey key, int protocolVersion, Clock clock, SecureRandom random) {
        this.key = Objects.requireNonNull(key, "key");
        this.signing = key.signingParameters();
        this.protocolVersion = checkProtocolVersion(protocolVersion);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The envelope bytes for a call of {@code method} with request body {@code body}. */
    public byte[] sign(String method, byte[] body) {
        return signBodyHash(method, ClientKey.sha256(body));
    }

    /** The envelope bytes for a call of {@code method} whose body's SHA-256 is {@code bodySha256} (32 bytes). */
    public byte[] signBodyHash(String method, byte[] bodySha256) {
        if (bodySha256.length != SignedEnvelope.HASH_BYTES) {
            throw new IllegalArgumentException(
                    "a body hash is " + SignedEnvelope.HASH_BYTES + " bytes (SHA-256), got " + bodySha256.length);
        }
        byte[] nonce = new byte[SignedEnvelope.NONCE_BYTES];
        random.nextBytes(nonce);
        long now = clock.millis();
        byte[] hash = bodySha256.clone();
        byte[] signed = SignedEnvelope.signedBytes(protocolVersion, key.id(), method, now, nonce, hash);
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, signing);
        s.update(signed, 0, signed.length);
        return new SignedEnvelope(protocolVersion, key.id(), now, nonce, hash, s.generateSignature()).encode();
    }

    /** The id of the client this signer signs for. */
    public String clientId() {
        return key.id();
    }

    public int protocolVersion() {
        return protocolVersion;
    }

    static int checkProtocolVersion(int v) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException("protocol version must be in [0, 65535], got " + v);
        }
        return v;
    }
}
