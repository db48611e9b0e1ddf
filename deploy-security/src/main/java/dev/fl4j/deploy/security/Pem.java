package dev.fl4j.deploy.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * PEM files as TLS stacks read them: X.509 certificates ({@code CERTIFICATE} blocks, a chain is several in order) and
 * PKCS#8 private keys ({@code PRIVATE KEY}, unencrypted), the forms grpc-java's
 * {@code TlsServerCredentials.newBuilder().keyManager(certFile, keyFile)} and netty accept. Private keys are written
 * readable by the owner only where the file system has POSIX permissions (the file is created with them, so there is
 * no moment it is readable by others). Nothing is ever overwritten: writing to an existing path fails.
 */
public final class Pem {

    /** The largest PEM file read (a chain of a few certificates is a few KiB). */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private Pem() {}

    /** The PEM text of {@code der} as one block labelled {@code label}, base64 in lines of 64 characters. */
    public static String encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** The DER contents of every block labelled {@code label} in {@code text}, in order; other blocks are skipped. */
    public static List<byte[]> decode(String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        List<byte[]> blocks = new ArrayList<>();
        int from = 0;
        while (true) {
            int b = text.indexOf(begin, from);
            if (b < 0) {
                return blocks;
            }
            int e = text.indexOf(end, b + begin.length());
            if (e < 0) {
                throw new IllegalArgumentException("PEM block " + label + " has no END line");
            }
            String base64 = text.substring(b + begin.length(), e).replaceAll("\\s", "");
            try {
                blocks.add(Base64.getDecoder().decode(base64));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("PEM block " + label + " is not base64: " + ex.getMessage(), ex);
            }
            from = e + end.length();
        }
    }

    /** The certificates in a PEM file, in file order (a chain: leaf first). */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<byte[]> blocks = decode(readText(file), "CERTIFICATE");
        if (blocks.isEmpty()) {
            throw new IOException(file + ": no CERTIFICATE block");
        }
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks) {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IOException(file + ": not an X.509 certificate: " + e.getMessage(), e);
        }
        return certs;
    }

    /** Writes certificates as a PEM chain to a new file (readable by all: certificates are public). */
    public static void writeCertificates(Path file, List<X509Certificate> chain) throws IOException {
        StringBuilder text = new StringBuilder();
        try {
            for (X509Certificate c : chain) {
                text.append(encode("CERTIFICATE", c.getEncoded()));
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException("cannot encode certificate: " + e.getMessage(), e);
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
    }

    /** Writes a PKCS#8 {@code PRIVATE KEY} PEM file, created owner-only where POSIX permissions exist. */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("private key is " + key.getFormat() + ", not PKCS#8");
        }
        writeOwnerOnly(file, encode("PRIVATE KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Reads a PKCS#8 {@code PRIVATE KEY} PEM file holding an EC (P-256) or Ed25519 key; the algorithm comes from
     * the key's own algorithm identifier.
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        List<byte[]> blocks = decode(readText(file), "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new IOException(file + ": expected one PKCS#8 PRIVATE KEY block, found " + blocks.size()
                    + " (a key in another form, e.g. EC PRIVATE KEY, can be converted with"
                    + " openssl pkcs8 -topk8 -nocrypt)");
        }
        byte[] der = blocks.get(0);
        String algorithm;
        try {
            ASN1ObjectIdentifier oid =
                    PrivateKeyInfo.getInstance(der).getPrivateKeyAlgorithm().getAlgorithm();
            if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
                algorithm = "Ed25519";
            } else if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                algorithm = "EC";
            } else {
                throw new IOException(file + ": private key algorithm " + oid + " is neither EC nor Ed25519");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException(file + ": not a PKCS#8 private key: " + e.getMessage(), e);
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": unreadable " + algorithm + " private key: " + e.getMessage(), e);
        }
    }

    /** Writes a new file that only its owner can read and write (where the file system has POSIX permissions). */
    static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        if (file.toAbsolutePath().getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
            Files.createFile(file);
        }
        Files.write(file, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Whether {@code file} is readable or writable by group or others (false where there are no POSIX permissions). */
    static boolean readableByOthers(Path file) throws IOException {
        if (!file.toAbsolutePath().getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return false;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        return !OWNER_ONLY.containsAll(perms);
    }

    static String readText(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(
                    file + ": " + size + " bytes, more than the " + MAX_FILE_BYTES + " a PEM file may have");
        }
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    static void refuseExisting(Path file) throws IOException {
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "refusing to overwrite");
        }
    }
}
