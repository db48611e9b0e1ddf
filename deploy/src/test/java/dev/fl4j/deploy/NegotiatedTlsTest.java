package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.security.DevelopmentPki;
import dev.fl4j.deploy.security.PkiFiles;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS a deployment's connections run on, as the server reports it ({@link DeployServer#negotiatedTls}): a
 * real {@code FederatedClient}'s connection is TLS 1.3 with an AEAD suite on the engine this JVM has (BoringSSL
 * where netty-tcnative ships it, as on Linux x86-64 and ARM64); a TLS 1.2 client gets an AEAD suite too, and one
 * that offers only CBC suites is refused.
 */
class NegotiatedTlsTest {

    private static final Set<String> TLS13_SUITES =
            Set.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    @TempDir
    Path dir;

    private DeployServer server(PkiFiles pki) throws IOException {
        return DeployServer.builder()
                .setProcess(DeployFixture.process())
                .setClientsPerRound(1)
                .setRounds(1)
                .setBatchSize(DeployFixture.BATCH)
                .optSeed(DeployFixture.SEED)
                .optTls(pki.serverCertificateChain(), pki.serverPrivateKey())
                .optAuthorizedKeys(pki.readAuthorizedKeys())
                .build()
                .start();
    }

    @Test
    @Timeout(60)
    void theServerReportsTheEngineAndTheAeadSuiteOfAClientsConnection() throws Exception {
        PkiFiles pki = DevelopmentPki.generate(1, List.of(), new SecureRandom()).write(dir);
        FedProxSynthetic data = DeployFixture.data();
        try (DeployServer server = server(pki)) {
            assertEquals(Optional.empty(), server.negotiatedTls());
            try (FederatedClient client = FederatedClient.builder()
                    .setServer("127.0.0.1:" + server.address().getPort())
                    .optTrust(pki.caCertificate())
                    .optKey(pki.readClientKey(0))
                    .setData(data.datasetFor(data.clientIds().get(0)))
                    .optBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .build()
                    .start()) {
                while (server.negotiatedTls().isEmpty()) {
                    Thread.sleep(20);
                }
            }
            NegotiatedTls tls = server.negotiatedTls().orElseThrow();
            assertEquals("TLSv1.3", tls.protocol(), tls.toString());
            assertTrue(TLS13_SUITES.contains(tls.cipherSuite()), tls.toString());
            assertEquals(NegotiatedTls.engineInThisJvm(), tls.engine());
            String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch");
            if (os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64"))) {
                assertEquals("BoringSSL", tls.engine(), "grpc-netty-shaded bundles BoringSSL for this platform");
            }
        }
    }

    @Test
    @Timeout(60)
    void aTls12ClientGetsAnAeadSuiteAndOneOfferingOnlyCbcSuitesIsRefused() throws Exception {
        PkiFiles pki = DevelopmentPki.generate(1, List.of(), new SecureRandom()).write(dir);
        SSLContext tls = clientContext(pki.caCertificate());
        try (DeployServer server = server(pki)) {
            int port = server.address().getPort();
            try (SSLSocket socket = connect(tls, port, null)) {
                socket.startHandshake();
                String suite = socket.getSession().getCipherSuite();
                assertEquals("TLSv1.2", socket.getSession().getProtocol());
                assertTrue(
                        suite.startsWith("TLS_ECDHE_")
                                && (suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_")),
                        suite);
            }
            try (SSLSocket socket = connect(tls, port, new String[] {
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
            })) {
                assertThrows(IOException.class, socket::startHandshake);
            }
        }
    }

    private static SSLContext clientContext(Path ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), new SecureRandom());
        return tls;
    }

    /** A TLS 1.2 socket to the server speaking h2 (as gRPC does), offering {@code suites} (null: the JDK's). */
    private static SSLSocket connect(SSLContext tls, int port, String[] suites) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters params = socket.getSSLParameters();
        params.setProtocols(new String[] {"TLSv1.2"});
        params.setApplicationProtocols(new String[] {"h2"});
        if (suites != null) {
            params.setCipherSuites(suites);
        }
        socket.setSSLParameters(params);
        socket.setSoTimeout(30_000);
        return socket;
    }
}
