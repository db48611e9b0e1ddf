package dev.fl4j.deploy.security;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * One client's Ed25519 key pair and the client id it implies.
 *
 * <p>The <b>client id is derived from the public key</b>: the lowercase hex of the SHA-256 of its X.509
 * (SubjectPublicKeyInfo) encoding, 64 characters ({@link #idOf}). Ids therefore cannot collide or be chosen, a client
 * proves its id by signing with the matching private key, and a server that knows a key knows its id. The key file is
 * a plain PKCS#8 {@code PRIVATE KEY} PEM; the public key (and so the id) is recomputed from the private key when it is
 * read, so nothing beside the private key needs to be kept.
 *
 * <p>Why Ed25519 and not ECDSA P-256 for request signatures: the JDK has it (JDK 15+), signatures are deterministic (no
 * per-signature random number whose reuse or bias leaks the key, the failure mode of ECDSA), keys are 32 bytes and
 * signatures a fixed 64 bytes (a fixed-size envelope, no DER to parse), and verification has no malleable encodings.
 * TLS certificates stay ECDSA P-256 ({@link DevelopmentPki}) because every TLS stack (netty, BoringSSL, the JDK)
 * accepts those keys.
 */
public final class ClientKey {

    /** The length of a client id: 64 lowercase hex characters. */
    public static final int ID_LENGTH = 64;

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String id;

    private ClientKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.id = idOf(publicKey);
    }

    /** A new key pair drawn from {@code random}. */
    public static ClientKey generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(255, random);
            KeyPair pair = generator.generateKeyPair();
            return new ClientKey(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate Ed25519 keys", e);
        }
    }

    /** The key of an Ed25519 private key, its public key derived from it. */
    public static ClientKey fromPrivateKey(PrivateKey privateKey) {
        Objects.requireNonNull(privateKey, "privateKey");
        if (!"Ed25519".equals(privateKey.getAlgorithm()) && !"EdDSA".equals(privateKey.getAlgorithm())) {
            throw new IllegalArgumentException(
                    "a client key must be Ed25519, got a " + privateKey.getAlgorithm() + " private key");
        }
        return new ClientKey(privateKey, publicKeyOf(privateKey));
    }

    /** Reads a client key file written by {@link #write} (a PKCS#8 Ed25519 {@code PRIVATE KEY} PEM). */
    public static ClientKey read(Path file) throws IOException {
        PrivateKey key = Pem.readPrivateKey(file);
        if (!"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())) {
            throw new IOException(file + ": a client key must be Ed25519, this is " + key.getAlgorithm());
        }
        return fromPrivateKey(key);
    }

    /** Writes the private key to a new PKCS#8 PEM file, owner-only where POSIX permissions exist. */
    public void write(Path file) throws IOException {
        Pem.writePrivateKey(file, privateKey);
    }

    /** The client id: hex SHA-256 of the public key's X.509 encoding. */
    public String id() {
        return id;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The client id of {@code publicKey}: the lowercase hex of the SHA-256 of its X.509 encoding. */
    public static String idOf(PublicKey publicKey) {
        return HexFormat.of().formatHex(sha256(publicKey.getEncoded()));
    }

    /** An Ed25519 public key from its X.509 (SubjectPublicKeyInfo) encoding, refusing any other algorithm. */
    public static PublicKey publicKeyFromX509(byte[] encoded) {
        try {
            SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(encoded);
            if (!info.getAlgorithm().getAlgorithm().equals(EdECObjectIdentifiers.id_Ed25519)) {
                throw new IllegalArgumentException("not an Ed25519 public key (algorithm "
                        + info.getAlgorithm().getAlgorithm() + ")");
            }
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
            if (!Arrays.equals(key.getEncoded(), encoded)) {
                throw new IllegalArgumentException("not the canonical encoding of an Ed25519 public key");
            }
            return key;
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /**
     * This key as BouncyCastle's signing parameters: the 32-byte seed of its PKCS#8 encoding, its public key
     * derived once and kept ({@link RequestSigner} signs with them).
     */
    Ed25519PrivateKeyParameters signingParameters() {
        return parametersOf(privateKey);
    }

    private static Ed25519PrivateKeyParameters parametersOf(PrivateKey privateKey) {
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(privateKey.getEncoded());
            byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
            try {
                return new Ed25519PrivateKeyParameters(seed);
            } finally {
                Arrays.fill(seed, (byte) 0);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not the PKCS#8 encoding of an Ed25519 private key", e);
        }
    }

    private static PublicKey publicKeyOf(PrivateKey privateKey) {
        try {
            byte[] raw = parametersOf(privateKey).generatePublicKey().getEncoded();
            byte[] x509 = new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), raw)
                    .getEncoded();
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot derive the public key of this Ed25519 private key", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ClientKey[" + id + "]";
    }
}
