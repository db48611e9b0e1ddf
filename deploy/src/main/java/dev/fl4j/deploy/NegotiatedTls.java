package dev.fl4j.deploy;

import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslSession;
import javax.net.ssl.SSLSession;

/**
 * What a TLS connection of the deployment runs on: the protocol version and cipher suite its handshake
 * agreed, and the TLS engine that encrypts it. grpc-java's Netty transport picks the engine itself: the
 * BoringSSL that {@code grpc-netty-shaded} bundles (netty-tcnative) where its native library loads for
 * the platform (Linux, macOS and Windows on x86-64, Linux and macOS on ARM64), otherwise the JDK's; the
 * cipher suites it offers are AEAD ones only (TLS 1.3's, and TLS 1.2's ECDHE with AES-GCM or
 * ChaCha20-Poly1305). Both engines check the same certificates; they differ in speed.
 *
 * @param protocol the protocol version, such as {@code TLSv1.3}
 * @param cipherSuite the cipher suite, such as {@code TLS_AES_128_GCM_SHA256}
 * @param engine {@code BoringSSL} (or the native library's own name for itself) or {@code JDK}
 */
public record NegotiatedTls(String protocol, String cipherSuite, String engine) {

    /** The engine of {@code session}: OpenSSL's sessions are netty-tcnative's, every other one is the JDK's. */
    public static NegotiatedTls of(SSLSession session) {
        return new NegotiatedTls(
                session.getProtocol(),
                session.getCipherSuite(),
                session instanceof OpenSslSession ? OpenSsl.versionString() : "JDK");
    }

    /** The engine grpc-java's Netty transport uses in this JVM: the native library's name, else {@code JDK}. */
    public static String engineInThisJvm() {
        return OpenSsl.isAvailable() ? OpenSsl.versionString() : "JDK";
    }

    /** {@code TLSv1.3 TLS_AES_128_GCM_SHA256 (BoringSSL)}. */
    @Override
    public String toString() {
        return protocol + " " + cipherSuite + " (" + engine + ")";
    }
}
