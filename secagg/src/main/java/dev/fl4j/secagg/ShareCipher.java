package dev.fl4j.secagg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts one client's shares for one neighbour: AES-256-GCM under HKDF-SHA256 of the X25519 agreement
 * of their encryption keys (salted with the session id), a random 96-bit nonce, the session id, sender
 * and receiver as associated data. Plaintext: sender, receiver, the mask-key share and the self-mask
 * seed share; ciphertext: nonce, encrypted plaintext, 128-bit tag.
 */
final class ShareCipher {

    static final int PLAINTEXT_BYTES = 4 + 4 + 2 * Shamir.SHARE_BYTES;
    static final int CIPHERTEXT_BYTES = 12 + PLAINTEXT_BYTES + 16;
    private static final byte[] INFO = "fl4j secagg+ v1 share encryption".getBytes(StandardCharsets.US_ASCII);

    private ShareCipher() {}

    /** The two shares one client holds of another's secrets. */
    record Shares(byte[] maskKeyShare, byte[] seedShare) {}

    static byte[] key(byte[] agreement, byte[] sessionId) {
        return Hkdf.sha256(agreement, sessionId, INFO, 32);
    }

    static byte[] encrypt(byte[] key, byte[] sessionId, int sender, int receiver, Shares shares, SecureRandom random) {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        ByteBuffer pt = ByteBuffer.allocate(PLAINTEXT_BYTES);
        pt.putInt(sender).putInt(receiver).put(shares.maskKeyShare()).put(shares.seedShare());
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            gcm.updateAAD(aad(sessionId, sender, receiver));
            byte[] out = new byte[CIPHERTEXT_BYTES];
            System.arraycopy(nonce, 0, out, 0, 12);
            gcm.doFinal(pt.array(), 0, PLAINTEXT_BYTES, out, 12);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is unavailable in this JDK", e);
        }
    }

    /**
     * The shares in {@code ciphertext}, which must be {@code sender}'s for {@code receiver} in this session.
     *
     * @throws SecAggException ({@link SecAggException.Kind#BAD_CIPHERTEXT}) if it does not authenticate
     */
    static Shares decrypt(byte[] key, byte[] sessionId, int sender, int receiver, byte[] ciphertext) {
        if (ciphertext.length != CIPHERTEXT_BYTES) {
            throw new SecAggException(
                    SecAggException.Kind.BAD_CIPHERTEXT,
                    "shares from client " + sender + " have " + ciphertext.length + " bytes, expected "
                            + CIPHERTEXT_BYTES);
        }
        byte[] pt;
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, ciphertext, 0, 12));
            gcm.updateAAD(aad(sessionId, sender, receiver));
            pt = gcm.doFinal(ciphertext, 12, CIPHERTEXT_BYTES - 12);
        } catch (AEADBadTagException e) {
            throw new SecAggException(
                    SecAggException.Kind.BAD_CIPHERTEXT,
                    "shares from client " + sender + " to client " + receiver
                            + " fail authentication (altered bytes or tag, or not encrypted for this pair and"
                            + " session)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is unavailable in this JDK", e);
        }
        ByteBuffer b = ByteBuffer.wrap(pt);
        int s = b.getInt();
        int r = b.getInt();
        if (s != sender || r != receiver) {
            throw new SecAggException(
                    SecAggException.Kind.BAD_CIPHERTEXT,
                    "shares claim to be from " + s + " to " + r + " but came from " + sender + " to " + receiver);
        }
        byte[] maskKeyShare = new byte[Shamir.SHARE_BYTES];
        byte[] seedShare = new byte[Shamir.SHARE_BYTES];
        b.get(maskKeyShare).get(seedShare);
        return new Shares(maskKeyShare, seedShare);
    }

    private static byte[] aad(byte[] sessionId, int sender, int receiver) {
        return ByteBuffer.allocate(sessionId.length + 8)
                .put(sessionId)
                .putInt(sender)
                .putInt(receiver)
                .array();
    }
}
