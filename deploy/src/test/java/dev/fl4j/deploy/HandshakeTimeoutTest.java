package dev.fl4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.security.DevelopmentPki;
import dev.fl4j.deploy.security.PkiFiles;
import dev.fl4j.deploy.server.DeployServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that connects to a TLS server and stalls its negotiation is dropped after the server's handshake
 * timeout, well before Netty's own 10 s TLS limit and gRPC's default of 120 s: stalled before its TLS
 * handshake, and stalled after it without sending the HTTP/2 preface (which Netty's TLS limit does not
 * cover).
 */
class HandshakeTimeoutTest {

    /** Closing takes the timeout plus scheduling on a loaded machine; Netty's TLS limit alone would take 10 s. */
    private static final long DROPPED_WITHIN_MILLIS = 7_000;

    @TempDir
    Path dir;

    private DeployServer server(PkiFiles pki) throws IOException {
        return DeployFixture.tlsServer(pki, 1, 1)
                .optHandshakeTimeout(Duration.ofSeconds(1))
                .build();
    }

    /**
     * Milliseconds until the server ends the connection {@code in} reads from (end of stream or reset), reading
     * what it sends meanwhile (its own HTTP/2 settings once TLS is up).
     */
    private static long millisUntilDropped(InputStream in) {
        long start = System.nanoTime();
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                // the server's frames; the client answers nothing
            }
        } catch (java.net.SocketTimeoutException stillOpen) {
            throw new AssertionError("the connection was still open after 30 s", stillOpen);
        } catch (IOException closed) {
            // a reset is a drop too
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    @Timeout(60)
    void aClientStalledBeforeItsTlsHandshakeIsDropped() throws Exception {
        PkiFiles pki = DevelopmentPki.generate(1, List.of(), new SecureRandom()).write(dir);
        try (DeployServer s = server(pki).start();
                Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", s.address().getPort()), 5_000);
            socket.setSoTimeout(30_000);
            long dropped = millisUntilDropped(socket.getInputStream());
            assertTrue(dropped < DROPPED_WITHIN_MILLIS, "dropped after " + dropped + " ms");
        }
    }

    @Test
    @Timeout(60)
    void aClientStalledAfterItsTlsHandshakeIsDropped() throws Exception {
        PkiFiles pki = DevelopmentPki.generate(1, List.of(), new SecureRandom()).write(dir);
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream ca = Files.newInputStream(pki.caCertificate())) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(null, tmf.getTrustManagers(), new SecureRandom());
        try (DeployServer s = server(pki).start()) {
            long connecting = System.nanoTime();
            try (SSLSocket socket = (SSLSocket)
                    tls.getSocketFactory().createSocket("127.0.0.1", s.address().getPort())) {
                SSLParameters params = socket.getSSLParameters();
                // as a gRPC client, so the server keeps the connection
                params.setApplicationProtocols(new String[] {"h2"});
                socket.setSSLParameters(params);
                socket.setSoTimeout(30_000);
                socket.startHandshake();
                assertEquals("h2", socket.getApplicationProtocol());
                long dropped = millisUntilDropped(socket.getInputStream());
                long sinceConnecting = (System.nanoTime() - connecting) / 1_000_000;
                // the 1 s timeout runs from the server's accept, after this client started connecting
                assertTrue(
                        sinceConnecting >= 900,
                        "dropped " + sinceConnecting + " ms after connecting: refused, not timed out?");
                assertTrue(dropped < DROPPED_WITHIN_MILLIS, "dropped after " + dropped + " ms");
            }
        }
    }

    @Test
    void aHandshakeTimeoutAboveNettysTlsLimitIsRefused() throws Exception {
        PkiFiles pki = DevelopmentPki.generate(1, List.of(), new SecureRandom()).write(dir);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> DeployFixture.tlsServer(pki, 1, 1)
                        .optHandshakeTimeout(Duration.ofSeconds(11))
                        .build());
        assertTrue(e.getMessage().contains("optHandshakeTimeout must be in (0, 10 s]"), e.getMessage());
    }
}
