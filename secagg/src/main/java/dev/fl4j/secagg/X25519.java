package dev.fl4j.secagg;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 key agreement (RFC 7748) through the JDK's XDH provider, on raw 32-byte keys: a private key is
 * its 32-byte scalar (what Shamir shares), a public key its 32-byte little-endian u-coordinate.
 */
final class X25519 {

    static final int KEY_BYTES = 32;
    private static final BigInteger FIELD_PRIME = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
    private static final byte[] BASE_POINT = new byte[KEY_BYTES];

    static {
        BASE_POINT[0] = 9;
    }

    private X25519() {}

    /** A key pair: the private scalar and the public key, 32 bytes each. */
    record KeyPair(byte[] privateKey, byte[] publicKey) {}

    static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("XDH");
            g.initialize(NamedParameterSpec.X25519, random);
            java.security.KeyPair kp = g.generateKeyPair();
            byte[] scalar = ((XECPrivateKey) kp.getPrivate())
                    .getScalar()
                    .orElseThrow(() -> new IllegalStateException("the XDH provider hides the private scalar"));
            return new KeyPair(scalar, encodeU(((XECPublicKey) kp.getPublic()).getU()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is unavailable in this JDK", e);
        }
    }

    /** The public key of a private scalar: the agreement with the base point. */
    static byte[] publicKeyOf(byte[] privateKey) {
        return agree(privateKey, BASE_POINT);
    }

    /**
     * The shared secret of {@code privateKey} and {@code publicKey}.
     *
     * @throws InvalidPublicKeyException if the public key is not a canonical 32-byte u-coordinate or is
     *     of small order (the agreement would be all zeros)
     */
    static byte[] agree(byte[] privateKey, byte[] publicKey) {
        checkPublicKey(publicKey);
        if (privateKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("an X25519 private key has 32 bytes, got " + privateKey.length);
        }
        try {
            KeyFactory kf = KeyFactory.getInstance("XDH");
            var priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey));
            var pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(publicKey)));
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(priv);
            ka.doPhase(pub, true);
            return ka.generateSecret();
        } catch (InvalidKeyException e) {
            throw new InvalidPublicKeyException("the X25519 public key is of small order: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is unavailable in this JDK", e);
        }
    }

    /** Throws unless {@code publicKey} is 32 bytes holding a canonical u-coordinate (below 2^255 − 19). */
    static void checkPublicKey(byte[] publicKey) {
        if (publicKey.length != KEY_BYTES) {
            throw new InvalidPublicKeyException("an X25519 public key has 32 bytes, got " + publicKey.length);
        }
        if (decodeU(publicKey).compareTo(FIELD_PRIME) >= 0) {
            throw new InvalidPublicKeyException("the X25519 public key is not canonical (u ≥ 2^255 − 19)");
        }
    }

    private static BigInteger decodeU(byte[] littleEndian) {
        byte[] be = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            be[i] = littleEndian[KEY_BYTES - 1 - i];
        }
        return new BigInteger(1, be);
    }

    private static byte[] encodeU(BigInteger u) {
        byte[] be = u.toByteArray();
        byte[] le = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < be.length; i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }

    /** A public key that cannot be used: wrong size, not canonical, small order. */
    static final class InvalidPublicKeyException extends RuntimeException {
        InvalidPublicKeyException(String message) {
            super(message);
        }
    }
}
