package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.client.FederatedClient;
import dev.fl4j.deploy.security.DevelopmentPki;
import dev.fl4j.deploy.security.PkiFiles;
import dev.fl4j.deploy.server.DeployServer;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS a deployment's connections run on, as the server reports it ({@link DeployServer#negotiatedTls}): a
 * real {@code FederatedClient}'s connection is TLS 1.3 with an AEAD suite on the engine this JVM has (BoringSSL
 * where netty-tcnative ships it, as on Linux x86-64 and ARM64).
 */
class NegotiatedTlsTest {

    private static final Set<String> TLS13_SUITES =
            Set.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    @TempDir
    Path dir;

    private DeployServer server(PkiFiles pki) throws IOException {
        return DeployFixture.tlsServer(pki, 1, 1).build().start();
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
}
