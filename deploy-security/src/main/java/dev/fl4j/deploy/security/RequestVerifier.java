package dev.fl4j.deploy.security;

import dev.fl4j.deploy.security.AuthenticationFailedException.Reason;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The server side of request authentication: checks a {@link SignedEnvelope} against the request it came with and
 * returns the authenticated client id, or throws {@link AuthenticationFailedException} naming the {@link Reason}.
 *
 * <p>Checks, in order (the first failure is reported): the envelope parses ({@code MALFORMED_ENVELOPE}); its protocol
 * version is this verifier's ({@code UNSUPPORTED_PROTOCOL_VERSION}); its client id is an authorized key's
 * ({@code UNKNOWN_KEY}); the Ed25519 signature verifies with that key over the method being served and the envelope's
 * fields ({@code BAD_SIGNATURE}); the body that came hashes to the signed hash ({@code BODY_HASH_MISMATCH}); the
 * client id the request claims, if the caller passes one, is the authenticated one ({@code CLIENT_ID_MISMATCH}); the
 * timestamp is within the window of the clock's now, neither older ({@code EXPIRED}) nor newer ({@code
 * FROM_THE_FUTURE}, which bounds the clock skew tolerated); and the nonce is new for this client ({@code
 * REPLAYED_NONCE}, or {@code NONCE_CACHE_FULL}, see {@link NonceCache}). Only requests with a valid signature touch
 * the nonce cache, so unauthenticated traffic cannot fill it, and a request refused for any reason records nothing.
 *
 * <p>A nonce is remembered until its timestamp leaves the window; after that the timestamp check refuses the replay.
 * Thread-safe; one verifier (one nonce cache) must serve all of a server's methods so a nonce is single-use across
 * them.
 */
public final class RequestVerifier {

    /** The default freshness window: a request is accepted within 2 minutes of its timestamp, either way. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(2);

    /** The default nonce cache capacity (about 110 bytes a nonce, some 20 MiB when full). */
    public static final int DEFAULT_NONCE_CAPACITY = 200_000;

    private final AuthorizedKeys keys;
    private final int protocolVersion;
    private final Clock clock;
    private final long windowMillis;
    private final NonceCache nonces;
    /** The authorized keys met so far, decoded for verification (at most one entry per authorized key). */
    private final Map<String, Ed25519PublicKeyParameters> decodedKeys = new ConcurrentHashMap<>();

    /** A verifier with the system clock, {@link #DEFAULT_WINDOW} and {@link #DEFAULT_NONCE_CAPACITY}. */
    public RequestVerifier(AuthorizedKeys keys, int protocolVersion) {
        this(keys, protocolVersion, Clock.systemUTC(), DEFAULT_WINDOW, DEFAULT_NONCE_CAPACITY);
    }

    /**
     * A verifier admitting {@code keys} for protocol {@code protocolVersion}, accepting timestamps within {@code
     * window} (1 ms to 1 hour) of {@code clock}'s time and remembering at most {@code nonceCapacity} nonces.
     */
    public RequestVerifier(AuthorizedKeys keys, int protocolVersion, Clock clock, Duration window, int nonceCapacity) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.protocolVersion = RequestSigner.checkProtocolVersion(protocolVersion);
        this.clock = Objects.requireNonNull(clock, "clock");
        if (window.toMillis() < 1 || window.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("freshness window must be 1 ms to 1 hour, got " + window);
        }
        this.windowMillis = window.toMillis();
        this.nonces = new NonceCache(nonceCapacity);
    }

    /**
     * The authenticated client id of a {@code method} call with request body {@code body} and envelope {@code
     * envelope}.
     */
    public String verify(String method, byte[] body, byte[] envelope) {
        return verifyBodyHash(method, ClientKey.sha256(body), envelope, null);
    }

    /**
     * As {@link #verify(String, byte[], byte[])}, and the request's own claim to be client {@code claimedClientId}
     * (e.g. a client id field in the message) must be the authenticated id: a client cannot act for another.
     */
    public String verify(String method, byte[] body, byte[] envelope, String claimedClientId) {
        Objects.requireNonNull(claimedClientId, "claimedClientId");
        return verifyBodyHash(method, ClientKey.sha256(body), envelope, claimedClientId);
    }

    /**
     * As {@link #verify(String, byte[], byte[], String)} for a body already hashed ({@code bodySha256}, 32 bytes);
     * {@code claimedClientId} may be null when the request claims no id.
     */
    public String verifyBodyHash(String method, byte[] bodySha256, byte[] envelope, String claimedClientId) {
        SignedEnvelope.checkMethod(method);
        if (bodySha256.length != SignedEnvelope.HASH_BYTES) {
            throw new IllegalArgumentException(
                    "a body hash is " + SignedEnvelope.HASH_BYTES + " bytes (SHA-256), got " + bodySha256.length);
        }
        SignedEnvelope e = SignedEnvelope.parse(envelope);
        if (e.protocolVersion() != protocolVersion) {
            throw new AuthenticationFailedException(
                    Reason.UNSUPPORTED_PROTOCOL_VERSION,
                    "envelope is for protocol version " + e.protocolVersion() + ", this server speaks "
                            + protocolVersion);
        }
        String claimed = e.clientId();
        String id = keys.sharedId(claimed);
        if (id == null) {
            throw new AuthenticationFailedException(
                    Reason.UNKNOWN_KEY, "client " + claimed + " is not among the " + keys.size() + " authorized keys");
        }
        Ed25519PublicKeyParameters key =
                decodedKeys.computeIfAbsent(id, k -> decode(keys.publicKey(k).orElseThrow()));
        if (!signatureVerifies(key, e.signedBytes(method), e.signatureUnsafe())) {
            throw new AuthenticationFailedException(
                    Reason.BAD_SIGNATURE,
                    "signature does not verify with client " + id + "'s key for method " + method);
        }
        if (!MessageDigest.isEqual(bodySha256, e.bodyHashUnsafe())) {
            throw new AuthenticationFailedException(
                    Reason.BODY_HASH_MISMATCH, "client " + id + "'s " + method + " body is not the body it signed");
        }
        if (claimedClientId != null && !claimedClientId.equals(id)) {
            throw new AuthenticationFailedException(
                    Reason.CLIENT_ID_MISMATCH,
                    "client " + id + " sent a " + method + " request for client " + printable(claimedClientId));
        }
        long now = clock.millis();
        long t = e.timestampMillis();
        if (t < now - windowMillis) {
            throw new AuthenticationFailedException(
                    Reason.EXPIRED,
                    "client " + id + "'s request was signed at " + instant(t) + ", more than " + windowMillis
                            + " ms before now (" + Instant.ofEpochMilli(now) + ")");
        }
        if (t > now + windowMillis) {
            throw new AuthenticationFailedException(
                    Reason.FROM_THE_FUTURE,
                    "client " + id + "'s request is stamped " + instant(t) + ", more than " + windowMillis
                            + " ms after now (" + Instant.ofEpochMilli(now) + "): its clock is ahead");
        }
        switch (nonces.record(id, e.nonceUnsafe(), t + windowMillis, now)) {
            case REPLAYED ->
                throw new AuthenticationFailedException(
                        Reason.REPLAYED_NONCE, "client " + id + "'s nonce was already used: a replayed request");
            case FULL ->
                throw new AuthenticationFailedException(
                        Reason.NONCE_CACHE_FULL,
                        "the nonce cache holds " + nonces.capacity() + " live nonces; refusing client " + id
                                + "'s request rather than forget one");
            case RECORDED -> {}
        }
        return id;
    }

    /** The authorized keys this verifier admits. */
    public AuthorizedKeys authorizedKeys() {
        return keys;
    }

    public Duration window() {
        return Duration.ofMillis(windowMillis);
    }

    /** How many nonces are remembered now. */
    public int rememberedNonces() {
        return nonces.size(clock.millis());
    }

    /**
     * Ed25519 (RFC 8032, pure) verification with BouncyCastle's implementation rather than the JDK's: the same
     * signatures verify, some eight times as fast ({@code Ed25519VerifyBenchmark} in {@code bench-jmh}), which
     * matters on a server verifying every request of a thousand clients on a few service threads.
     */
    private static boolean signatureVerifies(Ed25519PublicKeyParameters key, byte[] signed, byte[] signature) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(false, key);
        s.update(signed, 0, signed.length);
        return s.verifySignature(signature);
    }

    /** An authorized key's raw 32 bytes as BouncyCastle's parameters (its point decoded once, then kept). */
    private static Ed25519PublicKeyParameters decode(PublicKey key) {
        try {
            return new Ed25519PublicKeyParameters(SubjectPublicKeyInfo.getInstance(key.getEncoded())
                    .getPublicKeyData()
                    .getOctets());
        } catch (RuntimeException e) {
            throw new IllegalStateException("an authorized key is not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    private static String instant(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "\"" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }
}
