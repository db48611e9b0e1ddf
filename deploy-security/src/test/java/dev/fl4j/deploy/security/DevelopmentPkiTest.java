package dev.fl4j.deploy.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevelopmentPkiTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void writtenFilesReadBackAsTheSameKeysAndCertificates() throws Exception {
        DevelopmentPki pki = DevelopmentPki.generate(3, List.of("10.1.2.3", "fl4j.example.org", "fe80::1"), RANDOM);
        PkiFiles files = pki.write(dir.resolve("pki"));
        assertEquals(
                List.of(
                        "ca.pem",
                        "server.pem",
                        "server.key",
                        "authorized_keys",
                        "client-0.key",
                        "client-1.key",
                        "client-2.key"),
                files.all().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(pki.caCertificate(), files.readCaCertificate());
        assertEquals(pki.serverCertificateChain(), files.readServerCertificateChain());
        assertArrayEquals(
                pki.serverPrivateKey().getEncoded(),
                files.readServerPrivateKey().getEncoded());
        assertEquals("EC", files.readServerPrivateKey().getAlgorithm());
        AuthorizedKeys authorized = files.readAuthorizedKeys();
        assertEquals(3, authorized.size());
        for (int i = 0; i < 3; i++) {
            ClientKey k = files.readClientKey(i);
            assertEquals(pki.clients().get(i).id(), k.id());
            assertArrayEquals(
                    pki.clients().get(i).publicKey().getEncoded(), k.publicKey().getEncoded());
            assertEquals(64, k.id().length());
            assertEquals(k.id(), ClientKey.idOf(k.publicKey()));
            assertTrue(authorized.contains(k.id()));
            assertEquals("client-" + i, authorized.label(k.id()).orElseThrow());
        }
        assertEquals(List.copyOf(pki.authorizedKeys().ids()), List.copyOf(authorized.ids()));
        assertTrue(Files.readString(files.serverPrivateKey()).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(Files.readString(files.clientKeys().get(0)).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    }

    @Test
    void privateKeysAreOwnerOnly() throws Exception {
        PkiFiles files = DevelopmentPki.generate(2, List.of(), RANDOM).write(dir);
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return; // nothing to check where there are no POSIX permissions
        }
        for (Path key : List.of(
                files.serverPrivateKey(),
                files.clientKeys().get(0),
                files.clientKeys().get(1))) {
            assertEquals(
                    "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), key.toString());
            assertFalse(Pem.readableByOthers(key));
        }
    }

    @Test
    void theServerChainVerifiesAgainstTheCaWithPkixAndNamesTheHosts() throws Exception {
        DevelopmentPki pki = DevelopmentPki.generate(0, List.of("10.1.2.3", "fl4j.example.org"), RANDOM);
        PkiFiles files = pki.write(dir);
        List<X509Certificate> chain = files.readServerCertificateChain();
        X509Certificate ca = files.readCaCertificate();
        pkixValidate(chain, ca);

        X509Certificate server = chain.get(0);
        Set<String> names = new HashSet<>();
        for (List<?> san : server.getSubjectAlternativeNames()) {
            names.add(san.get(0) + " " + san.get(1));
        }
        assertEquals(
                Set.of("7 127.0.0.1", "7 0:0:0:0:0:0:0:1", "2 localhost", "7 10.1.2.3", "2 fl4j.example.org"), names);
        assertEquals(-1, server.getBasicConstraints(), "the server certificate is not a CA");
        assertTrue(server.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
        assertEquals(0, ca.getBasicConstraints(), "the CA signs end entities only");
        assertEquals("SHA256withECDSA", server.getSigAlgName());

        // another PKI's CA does not validate this chain
        X509Certificate otherCa = DevelopmentPki.generate(0, List.of(), RANDOM).caCertificate();
        assertThrows(CertPathValidatorException.class, () -> pkixValidate(chain, otherCa));
    }

    static void pkixValidate(List<X509Certificate> chain, X509Certificate ca) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(chain.subList(0, 1)), params);
    }

    @Test
    void nothingIsOverwritten() throws Exception {
        DevelopmentPki.generate(1, List.of(), RANDOM).write(dir);
        byte[] before = Files.readAllBytes(dir.resolve("ca.pem"));
        assertThrows(
                FileAlreadyExistsException.class,
                () -> DevelopmentPki.generate(1, List.of(), RANDOM).write(dir));
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("ca.pem")));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DevelopmentPki.generate(-1, List.of(), RANDOM));
        IllegalArgumentException host = assertThrows(
                IllegalArgumentException.class, () -> DevelopmentPki.generate(1, List.of("bad host!"), RANDOM));
        assertTrue(host.getMessage().contains("\"bad host!\" is neither an IP address nor a DNS name"));
        assertThrows(IllegalArgumentException.class, () -> DevelopmentPki.generate(1, List.of("-x.org"), RANDOM));
        assertThrows(
                IllegalArgumentException.class,
                () -> DevelopmentPki.generate(1, List.of(), java.time.Duration.ZERO, RANDOM));
    }

    @Test
    void badKeyFilesAreRefusedByName() throws Exception {
        Path notPem = Files.writeString(dir.resolve("x.key"), "hello");
        IOException e = assertThrows(IOException.class, () -> ClientKey.read(notPem));
        assertTrue(e.getMessage().contains("expected one PKCS#8 PRIVATE KEY block, found 0"), e.getMessage());
        PkiFiles files = DevelopmentPki.generate(1, List.of(), RANDOM).write(dir.resolve("p"));
        IOException ec = assertThrows(IOException.class, () -> ClientKey.read(files.serverPrivateKey()));
        assertTrue(ec.getMessage().contains("a client key must be Ed25519, this is EC"), ec.getMessage());
        Path garbage = Files.writeString(
                dir.resolve("g.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThrows(IOException.class, () -> ClientKey.read(garbage));
        assertThrows(IOException.class, () -> Pem.readCertificates(notPem));
    }
}
