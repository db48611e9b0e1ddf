package dev.fl4j.deploy.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real TLS 1.3 handshake on 127.0.0.1 with the JDK's SSLServerSocket and SSLSocket, the server holding the written
 * {@code server.pem} and {@code server.key}, the client trusting only the written {@code ca.pem} and checking the
 * server's name (HTTPS endpoint identification) against the certificate's subject alternative names.
 */
class TlsHandshakeTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aClientTrustingTheCaCompletesAHandshakeWithTheServerAndExchangesBytes() throws Exception {
        PkiFiles files = DevelopmentPki.generate(0, List.of(), RANDOM).write(dir);
        try (SSLServerSocket server = listen(serverContext(files))) {
            Future<byte[]> echoed = executor.submit(() -> echoOnce(server));
            try (SSLSocket socket = connect(clientContext(files.caCertificate()), server.getLocalPort(), "127.0.0.1")) {
                socket.getOutputStream().write(new byte[] {4, 1, 2, 3, 4});
                socket.getOutputStream().flush();
                byte[] back = new DataInputStream(socket.getInputStream()).readNBytes(5);
                assertArrayEquals(new byte[] {4, 1, 2, 3, 4}, back);
                assertEquals("TLSv1.3", socket.getSession().getProtocol());
                assertEquals(
                        files.readServerCertificateChain().get(0),
                        socket.getSession().getPeerCertificates()[0]);
            }
            assertArrayEquals(new byte[] {4, 1, 2, 3, 4}, echoed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClientTrustingAnotherCaRefusesTheServer() throws Exception {
        PkiFiles files = DevelopmentPki.generate(0, List.of(), RANDOM).write(dir.resolve("a"));
        PkiFiles other = DevelopmentPki.generate(0, List.of(), RANDOM).write(dir.resolve("b"));
        try (SSLServerSocket server = listen(serverContext(files))) {
            executor.submit(() -> echoOnce(server));
            try (SSLSocket socket = connect(clientContext(other.caCertificate()), server.getLocalPort(), "127.0.0.1")) {
                assertRefusedBecause("PKIX path building failed", socket);
            }
        }
    }

    @Test
    void aHostNotInTheCertificateIsRefused() throws Exception {
        PkiFiles files = DevelopmentPki.generate(0, List.of(), RANDOM).write(dir);
        try (SSLServerSocket server = listen(serverContext(files))) {
            executor.submit(() -> echoOnce(server));
            // connected to 127.0.0.1 but expecting the name fl4j.example.org, which the certificate does not carry
            try (SSLSocket socket =
                    connect(clientContext(files.caCertificate()), server.getLocalPort(), "fl4j.example.org")) {
                assertRefusedBecause("No subject alternative DNS name matching fl4j.example.org", socket);
            }
        }
    }

    private static void assertRefusedBecause(String reason, SSLSocket socket) {
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, socket::startHandshake);
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" / ");
        }
        assertTrue(messages.toString().contains(reason), messages.toString());
    }

    private static SSLServerSocket listen(SSLContext context) throws IOException {
        SSLServerSocket server = (SSLServerSocket)
                context.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        server.setEnabledProtocols(new String[] {"TLSv1.3"});
        return server;
    }

    /**
     * A TLS socket to 127.0.0.1:{@code port} that expects the server to be {@code expectedHost} (an IP literal is
     * checked against the certificate's IP-address names, a name against its DNS names).
     */
    private static SSLSocket connect(SSLContext context, int port, String expectedHost) throws IOException {
        Socket tcp = new Socket(InetAddress.getByName("127.0.0.1"), port);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(tcp, expectedHost, port, true);
        socket.setSoTimeout(10_000);
        SSLParameters params = socket.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        params.setProtocols(new String[] {"TLSv1.3"});
        socket.setSSLParameters(params);
        return socket;
    }

    private static byte[] echoOnce(SSLServerSocket server) throws IOException {
        server.setSoTimeout(10_000);
        try (SSLSocket s = (SSLSocket) server.accept()) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            int n = in.read();
            byte[] rest = new DataInputStream(in).readNBytes(n);
            OutputStream out = s.getOutputStream();
            out.write(n);
            out.write(rest);
            out.flush();
            byte[] all = new byte[n + 1];
            all[0] = (byte) n;
            System.arraycopy(rest, 0, all, 1, n);
            return all;
        }
    }

    static SSLContext serverContext(PkiFiles files) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] password = new char[0];
        ks.setKeyEntry(
                "server",
                files.readServerPrivateKey(),
                password,
                files.readServerCertificateChain().toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, RANDOM);
        return context;
    }

    static SSLContext clientContext(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate c : Pem.readCertificates(caPem)) {
            trust.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), RANDOM);
        return context;
    }
}
