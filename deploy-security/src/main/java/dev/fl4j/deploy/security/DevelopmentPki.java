package dev.fl4j.deploy.security;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * A development public-key infrastructure for one deployment: a self-signed CA, a server certificate it signs, and one
 * Ed25519 key per client with the {@link AuthorizedKeys} listing them. For trying fl4j on loopback or a lab network;
 * production deployments bring certificates from their own CA.
 *
 * <p>Certificates are ECDSA P-256 with SHA-256 signatures (every TLS stack accepts them; see {@link ClientKey} for why
 * client keys are Ed25519). The CA is constrained to sign end-entity certificates only (basic constraints CA, path
 * length 0; key usage certificate and CRL signing). The server certificate is an end entity (not a CA) for TLS server
 * authentication only (key usage digital signature, extended key usage serverAuth) whose subject alternative names are
 * {@code 127.0.0.1}, {@code ::1}, {@code localhost} and the extra hosts given (IP literals become IP-address names,
 * anything else a DNS name; names are never resolved). Both are valid from an hour before creation (tolerating clock
 * skew) for the validity given; serial numbers are 127 random bits. All randomness comes from the {@link SecureRandom}
 * passed in.
 *
 * <p>The CA's private key is discarded once the server certificate is signed: it is never written, so this CA can have
 * signed nothing but this one server certificate. For a new server certificate make a new PKI (clients then trust the
 * new {@code ca.pem}).
 */
public final class DevelopmentPki {

    /** The subject alternative names every server certificate has. */
    public static final List<String> LOOPBACK_HOSTS = List.of("127.0.0.1", "::1", "localhost");

    /** The validity of the certificates when none is given. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

    /** The most client keys one call makes. */
    public static final int MAX_CLIENTS = 100_000;

    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private final X509Certificate caCertificate;
    private final X509Certificate serverCertificate;
    private final PrivateKey serverPrivateKey;
    private final List<String> serverHosts;
    private final List<ClientKey> clients;
    private final AuthorizedKeys authorizedKeys;

    private DevelopmentPki(
            X509Certificate caCertificate,
            X509Certificate serverCertificate,
            PrivateKey serverPrivateKey,
            List<String> serverHosts,
            List<ClientKey> clients) {
        this.caCertificate = caCertificate;
        this.serverCertificate = serverCertificate;
        this.serverPrivateKey = serverPrivateKey;
        this.serverHosts = List.copyOf(serverHosts);
        this.clients = List.copyOf(clients);
        Map<PublicKey, String> labelled = new LinkedHashMap<>();
        for (int i = 0; i < clients.size(); i++) {
            labelled.put(clients.get(i).publicKey(), clientLabel(i));
        }
        this.authorizedKeys = AuthorizedKeys.ofLabelled(labelled);
    }

    /**
     * A PKI with {@code clients} client keys, a server certificate for loopback and {@code extraHosts}, default
     * validity.
     */
    public static DevelopmentPki generate(int clients, List<String> extraHosts, SecureRandom random) {
        return generate(clients, extraHosts, DEFAULT_VALIDITY, random);
    }

    /**
     * A PKI with {@code clients} client keys (0 to {@link #MAX_CLIENTS}) and a server certificate for loopback and
     * {@code extraHosts} (IP literals or DNS names), both certificates valid for {@code validity}.
     */
    public static DevelopmentPki generate(
            int clients, List<String> extraHosts, Duration validity, SecureRandom random) {
        if (clients < 0 || clients > MAX_CLIENTS) {
            throw new IllegalArgumentException("clients must be in [0, " + MAX_CLIENTS + "], got " + clients);
        }
        Objects.requireNonNull(random, "random");
        if (validity.isNegative() || validity.isZero() || validity.compareTo(Duration.ofDays(3650)) > 0) {
            throw new IllegalArgumentException("validity must be positive and at most 3650 days, got " + validity);
        }
        LinkedHashSet<String> hosts = new LinkedHashSet<>(LOOPBACK_HOSTS);
        for (String h : extraHosts) {
            hosts.add(checkHost(h));
        }
        try {
            KeyPair ca = ecKeyPair(random);
            KeyPair server = ecKeyPair(random);
            Instant now = Instant.now();
            Date notBefore = Date.from(now.minus(Duration.ofHours(1)));
            Date notAfter = Date.from(now.plus(validity));
            String tag = HexFormat.of().formatHex(randomBytes(random, 4));
            X500Name caName = new X500Name("CN=fl4j development CA " + tag);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

            X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(
                            caName, serial(random), notBefore, notAfter, caName, ca.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(ca.getPublic()));
            X509Certificate caCert = sign(caBuilder, ca.getPrivate(), random);

            List<GeneralName> names = new ArrayList<>();
            for (String h : hosts) {
                names.add(
                        IPAddress.isValid(h)
                                ? new GeneralName(GeneralName.iPAddress, h)
                                : new GeneralName(GeneralName.dNSName, h));
            }
            X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(
                            caName,
                            serial(random),
                            notBefore,
                            notAfter,
                            new X500Name("CN=fl4j server " + tag),
                            server.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(names.toArray(new GeneralName[0])))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(server.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            X509Certificate serverCert = sign(serverBuilder, ca.getPrivate(), random);

            List<ClientKey> keys = new ArrayList<>(clients);
            for (int i = 0; i < clients; i++) {
                keys.add(ClientKey.generate(random));
            }
            return new DevelopmentPki(caCert, serverCert, server.getPrivate(), List.copyOf(hosts), keys);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the development PKI: " + e.getMessage(), e);
        }
    }

    /** The file names {@link #write} uses, in {@code dir}. */
    public static PkiFiles files(Path dir, int clients) {
        List<Path> clientKeys = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            clientKeys.add(dir.resolve(clientLabel(i) + ".key"));
        }
        return new PkiFiles(
                dir,
                dir.resolve("ca.pem"),
                dir.resolve("server.pem"),
                dir.resolve("server.key"),
                dir.resolve("authorized_keys"),
                clientKeys);
    }

    /**
     * Writes the PKI to {@code dir} (created if missing): {@code ca.pem} (the CA certificate, the trust root of
     * clients), {@code server.pem} (the server's chain, its certificate then the CA's), {@code server.key} (its PKCS#8
     * private key), {@code authorized_keys} (the clients' public keys, labelled {@code client-K}) and {@code
     * client-K.key} (each client's PKCS#8 Ed25519 private key). Private keys are created owner-only where POSIX
     * permissions exist. If any of these files exists nothing is written.
     */
    public PkiFiles write(Path dir) throws IOException {
        Files.createDirectories(dir);
        PkiFiles files = files(dir, clients.size());
        for (Path p : files.all()) {
            Pem.refuseExisting(p);
        }
        Pem.writeCertificates(files.caCertificate(), List.of(caCertificate));
        Pem.writeCertificates(files.serverCertificateChain(), serverCertificateChain());
        Pem.writePrivateKey(files.serverPrivateKey(), serverPrivateKey);
        authorizedKeys.write(files.authorizedKeys());
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).write(files.clientKeys().get(i));
        }
        return files;
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    public X509Certificate serverCertificate() {
        return serverCertificate;
    }

    /** The server certificate then the CA certificate, the order TLS sends them. */
    public List<X509Certificate> serverCertificateChain() {
        return List.of(serverCertificate, caCertificate);
    }

    public PrivateKey serverPrivateKey() {
        return serverPrivateKey;
    }

    /** The server certificate's subject alternative names, loopback first. */
    public List<String> serverHosts() {
        return serverHosts;
    }

    /** The client keys, client {@code K} at index {@code K}. */
    public List<ClientKey> clients() {
        return clients;
    }

    /** The clients' public keys, labelled {@code client-K}. */
    public AuthorizedKeys authorizedKeys() {
        return authorizedKeys;
    }

    /** The label (and key file stem) of client {@code index}: {@code client-INDEX}. */
    public static String clientLabel(int index) {
        return "client-" + index;
    }

    /** {@code host} if it is an IP literal or a DNS name (labels of letters, digits and inner hyphens). */
    static String checkHost(String host) {
        Objects.requireNonNull(host, "host");
        if (IPAddress.isValid(host)) {
            return host;
        }
        String[] labels = host.split("\\.", -1);
        boolean ok = host.length() <= 253 && labels.length > 0;
        for (String l : labels) {
            ok &= DNS_LABEL.matcher(l).matches();
        }
        if (!ok) {
            throw new IllegalArgumentException(
                    "host \"" + host + "\" is neither an IP address nor a DNS name (letters, digits, hyphens, dots)");
        }
        return host;
    }

    private static KeyPair ecKeyPair(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key, SecureRandom random)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
                .setSecureRandom(random)
                .build(key);
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static BigInteger serial(SecureRandom random) {
        byte[] b = randomBytes(random, 16);
        b[0] &= 0x7F;
        BigInteger s = new BigInteger(1, b);
        return s.signum() == 0 ? BigInteger.ONE : s;
    }

    private static byte[] randomBytes(SecureRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
