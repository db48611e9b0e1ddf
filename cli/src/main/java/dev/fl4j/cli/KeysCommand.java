package dev.fl4j.cli;

import dev.fl4j.deploy.security.DevelopmentPki;
import dev.fl4j.deploy.security.PkiFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fl4j keys}: writes a development PKI ({@link DevelopmentPki}): a CA certificate, a server certificate chain
 * and key for loopback and the given hosts, and one Ed25519 key per client with the {@code authorized_keys} file that
 * lists them; then prints each file it wrote. Refuses to overwrite any existing file.
 */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = {
            "Creates a development PKI in DIR: a CA (ca.pem), a server certificate it signs (server.pem, server.key;",
            "names 127.0.0.1, ::1, localhost and each --host), and N client Ed25519 keys (client-K.key) listed in",
            "authorized_keys. Private keys are PKCS#8 PEM, owner-only. The CA's private key is not kept.",
            "Existing files are never overwritten."
        })
final class KeysCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Directory to write (created if missing).")
    Path out;

    @Option(
            names = "--clients",
            defaultValue = "3",
            paramLabel = "N",
            description = "Number of client keys (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(
            names = "--host",
            paramLabel = "H",
            description = "Another IP address or DNS name the server certificate names (repeatable).")
    List<String> hosts = new ArrayList<>();

    @Option(
            names = "--validity-days",
            defaultValue = "365",
            paramLabel = "D",
            description = "Days the certificates are valid (1 to 3650, default: ${DEFAULT-VALUE}).")
    int validityDays;

    @Override
    public Integer call() throws IOException {
        if (clients < 0 || clients > DevelopmentPki.MAX_CLIENTS) {
            throw new ParameterException(
                    spec.commandLine(), "--clients must be in [0, " + DevelopmentPki.MAX_CLIENTS + "], got " + clients);
        }
        if (validityDays < 1 || validityDays > 3650) {
            throw new ParameterException(
                    spec.commandLine(), "--validity-days must be in [1, 3650], got " + validityDays);
        }
        DevelopmentPki pki;
        try {
            pki = DevelopmentPki.generate(clients, hosts, Duration.ofDays(validityDays), new SecureRandom());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--host: " + e.getMessage(), e);
        }
        PkiFiles files = pki.write(out);
        PrintWriter w = spec.commandLine().getOut();
        w.println("wrote a development PKI to " + files.dir() + " (the CA's private key was not kept):");
        w.printf(
                "  %-16s CA certificate (the trust root clients verify the server with)%n",
                name(files.caCertificate()));
        w.printf(
                "  %-16s server certificate chain for %s, valid %d days%n",
                name(files.serverCertificateChain()), String.join(", ", pki.serverHosts()), validityDays);
        w.printf("  %-16s server private key (PKCS#8 EC P-256, owner-only)%n", name(files.serverPrivateKey()));
        w.printf("  %-16s the %d client public keys the server admits%n", name(files.authorizedKeys()), clients);
        for (int i = 0; i < clients; i++) {
            w.printf(
                    "  %-16s client %d private key (PKCS#8 Ed25519, owner-only), client id %s%n",
                    name(files.clientKeys().get(i)), i, pki.clients().get(i).id());
        }
        w.flush();
        return 0;
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }
}
