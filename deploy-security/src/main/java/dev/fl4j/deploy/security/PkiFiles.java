package dev.fl4j.deploy.security;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a {@link DevelopmentPki} was written, and how to read each part back.
 *
 * @param dir the directory
 * @param caCertificate {@code ca.pem}: the CA certificate, the trust root clients verify the server with
 * @param serverCertificateChain {@code server.pem}: the server certificate then the CA's (the cert file of grpc-java's
 *     {@code TlsServerCredentials.newBuilder().keyManager(certFile, keyFile)})
 * @param serverPrivateKey {@code server.key}: the server's PKCS#8 EC private key (that builder's key file)
 * @param authorizedKeys {@code authorized_keys}: the clients' public keys
 * @param clientKeys {@code client-K.key}: client K's PKCS#8 Ed25519 private key, at index K
 */
public record PkiFiles(
        Path dir,
        Path caCertificate,
        Path serverCertificateChain,
        Path serverPrivateKey,
        Path authorizedKeys,
        List<Path> clientKeys) {

    public PkiFiles {
        clientKeys = List.copyOf(clientKeys);
    }

    /** Every file, in the order they are written. */
    public List<Path> all() {
        List<Path> all =
                new ArrayList<>(List.of(caCertificate, serverCertificateChain, serverPrivateKey, authorizedKeys));
        all.addAll(clientKeys);
        return all;
    }

    public X509Certificate readCaCertificate() throws IOException {
        List<X509Certificate> certs = Pem.readCertificates(caCertificate);
        if (certs.size() != 1) {
            throw new IOException(caCertificate + ": expected one certificate, found " + certs.size());
        }
        return certs.get(0);
    }

    public List<X509Certificate> readServerCertificateChain() throws IOException {
        return Pem.readCertificates(serverCertificateChain);
    }

    public PrivateKey readServerPrivateKey() throws IOException {
        return Pem.readPrivateKey(serverPrivateKey);
    }

    public AuthorizedKeys readAuthorizedKeys() throws IOException {
        return AuthorizedKeys.read(authorizedKeys);
    }

    /** Client {@code index}'s key. */
    public ClientKey readClientKey(int index) throws IOException {
        return ClientKey.read(clientKeys.get(index));
    }
}
