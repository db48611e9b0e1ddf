package dev.fl4j.deploy.security;

import dev.fl4j.deploy.security.AuthenticationFailedException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The authentication a client attaches to one request: who signs (client id), when (timestamp), a 128-bit random
 * nonce, the SHA-256 of the request body, and an Ed25519 signature. The method name is not carried (the server knows
 * which method it is serving) but is signed, so a request cannot be replayed against another method.
 *
 * <p>Wire format, version 1, big-endian, exactly {@code 60 + L + 64} bytes (188 for a 64-character id):
 *
 * <pre>
 * u8  format = 1
 * u16 protocol version
 * u8  L, the client id's length, 1..64
 * L   client id, ASCII [0-9a-f]
 * i64 timestamp, milliseconds since the epoch
 * 16  nonce
 * 32  SHA-256 of the request body
 * 64  Ed25519 signature over {@link #signedBytes}
 * </pre>
 *
 * {@link #parse} reads received bytes as hostile: every length is checked against the fixed layout before anything is
 * read, the total must match exactly, and any deviation is an {@link AuthenticationFailedException} with reason
 * {@link Reason#MALFORMED_ENVELOPE}; it allocates nothing sized by the input beyond the (at most 188) bytes given.
 */
public final class SignedEnvelope {

    /** The only envelope format this code reads and writes. */
    public static final int FORMAT = 1;

    public static final int NONCE_BYTES = 16;
    public static final int HASH_BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;
    public static final int MAX_ID_LENGTH = ClientKey.ID_LENGTH;
    /** The longest method name signed, in UTF-8 bytes. */
    public static final int MAX_METHOD_BYTES = 256;
    /** The longest envelope: 188 bytes. */
    public static final int MAX_BYTES = 1 + 2 + 1 + MAX_ID_LENGTH + 8 + NONCE_BYTES + HASH_BYTES + SIGNATURE_BYTES;

    private static final byte[] DOMAIN = "fl4j signed request v1\0".getBytes(StandardCharsets.US_ASCII);

    private final int protocolVersion;
    private final String clientId;
    private final long timestampMillis;
    private final byte[] nonce;
    private final byte[] bodyHash;
    private final byte[] signature;

    SignedEnvelope(
            int protocolVersion,
            String clientId,
            long timestampMillis,
            byte[] nonce,
            byte[] bodyHash,
            byte[] signature) {
        this.protocolVersion = protocolVersion;
        this.clientId = clientId;
        this.timestampMillis = timestampMillis;
        this.nonce = nonce;
        this.bodyHash = bodyHash;
        this.signature = signature;
    }

    /** Parses received envelope bytes, refusing anything but an exact version-1 envelope. */
    public static SignedEnvelope parse(byte[] bytes) {
        if (bytes == null) {
            throw malformed("no envelope");
        }
        int min = 1 + 2 + 1 + 1 + 8 + NONCE_BYTES + HASH_BYTES + SIGNATURE_BYTES;
        if (bytes.length < min || bytes.length > MAX_BYTES) {
            throw malformed("envelope is " + bytes.length + " bytes, a version-" + FORMAT + " envelope has " + min
                    + " to " + MAX_BYTES);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int format = Byte.toUnsignedInt(in.get());
        if (format != FORMAT) {
            throw malformed("envelope format " + format + ", expected " + FORMAT);
        }
        int protocolVersion = Short.toUnsignedInt(in.getShort());
        int idLength = Byte.toUnsignedInt(in.get());
        int expected = 60 + idLength + SIGNATURE_BYTES;
        if (idLength < 1 || idLength > MAX_ID_LENGTH || bytes.length != expected) {
            throw malformed("client id length " + idLength + " (1 to " + MAX_ID_LENGTH + ") and envelope length "
                    + bytes.length + " disagree (expected " + expected + ")");
        }
        byte[] id = new byte[idLength];
        in.get(id);
        for (byte c : id) {
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw malformed("client id has a byte 0x" + HexFormat.of().toHexDigits(c) + " outside [0-9a-f]");
            }
        }
        long timestamp = in.getLong();
        byte[] nonce = new byte[NONCE_BYTES];
        in.get(nonce);
        byte[] hash = new byte[HASH_BYTES];
        in.get(hash);
        byte[] signature = new byte[SIGNATURE_BYTES];
        in.get(signature);
        return new SignedEnvelope(
                protocolVersion, new String(id, StandardCharsets.US_ASCII), timestamp, nonce, hash, signature);
    }

    /** The wire bytes {@link #parse} reads. */
    public byte[] encode() {
        byte[] id = clientId.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(60 + id.length + SIGNATURE_BYTES)
                .put((byte) FORMAT)
                .putShort((short) protocolVersion)
                .put((byte) id.length)
                .put(id)
                .putLong(timestampMillis)
                .put(nonce)
                .put(bodyHash)
                .put(signature)
                .array();
    }

    /**
     * The bytes the signature covers: a domain-separation string, then protocol version, client id, method name,
     * timestamp, nonce and body hash, each variable-length field length-prefixed so no two requests share an encoding.
     */
    public static byte[] signedBytes(
            int protocolVersion, String clientId, String method, long timestampMillis, byte[] nonce, byte[] bodyHash) {
        byte[] id = clientId.getBytes(StandardCharsets.US_ASCII);
        byte[] m = checkMethod(method);
        return ByteBuffer.allocate(DOMAIN.length + 2 + 1 + id.length + 2 + m.length + 8 + NONCE_BYTES + HASH_BYTES)
                .put(DOMAIN)
                .putShort((short) protocolVersion)
                .put((byte) id.length)
                .put(id)
                .putShort((short) m.length)
                .put(m)
                .putLong(timestampMillis)
                .put(nonce)
                .put(bodyHash)
                .array();
    }

    /** This envelope's signed bytes for {@code method}. */
    byte[] signedBytes(String method) {
        return signedBytes(protocolVersion, clientId, method, timestampMillis, nonce, bodyHash);
    }

    static byte[] checkMethod(String method) {
        Objects.requireNonNull(method, "method");
        byte[] m = method.getBytes(StandardCharsets.UTF_8);
        if (m.length == 0 || m.length > MAX_METHOD_BYTES) {
            throw new IllegalArgumentException(
                    "method name must be 1 to " + MAX_METHOD_BYTES + " UTF-8 bytes, got " + m.length);
        }
        return m;
    }

    public int protocolVersion() {
        return protocolVersion;
    }

    /** The client id the envelope claims (authenticated only once {@link RequestVerifier} accepted it). */
    public String clientId() {
        return clientId;
    }

    public long timestampMillis() {
        return timestampMillis;
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    public byte[] bodyHash() {
        return bodyHash.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    byte[] nonceUnsafe() {
        return nonce;
    }

    byte[] bodyHashUnsafe() {
        return bodyHash;
    }

    byte[] signatureUnsafe() {
        return signature;
    }

    private static AuthenticationFailedException malformed(String message) {
        return new AuthenticationFailedException(Reason.MALFORMED_ENVELOPE, message);
    }

    @Override
    public String toString() {
        return "SignedEnvelope[client " + clientId + ", protocol " + protocolVersion + ", t=" + timestampMillis
                + ", nonce " + HexFormat.of().formatHex(nonce) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedEnvelope e && Arrays.equals(encode(), e.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }
}
