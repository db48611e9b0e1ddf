package dev.fl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.security.AuthorizedKeys;
import dev.fl4j.deploy.security.ClientKey;
import dev.fl4j.deploy.security.Pem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fl4j keys} writes a development PKI that reads back, prints what it wrote, and refuses bad settings. */
class KeysCommandTest {

    @TempDir
    Path tmp;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Fl4j.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void writesTheFilesItPrints() throws Exception {
        Path dir = tmp.resolve("pki");
        String[] r = run("keys", "--out", dir.toString(), "--clients", "2", "--host", "10.0.0.7", "--host", "fl4j.lan");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("server certificate chain for 127.0.0.1, ::1, localhost, 10.0.0.7, fl4j.lan"), r[1]);
        AuthorizedKeys authorized = AuthorizedKeys.read(dir.resolve("authorized_keys"));
        assertEquals(2, authorized.size());
        for (int i = 0; i < 2; i++) {
            ClientKey k = ClientKey.read(dir.resolve("client-" + i + ".key"));
            assertTrue(authorized.contains(k.id()));
            assertTrue(
                    r[1].contains("client-" + i + ".key     client " + i
                            + " private key (PKCS#8 Ed25519, owner-only), client id " + k.id()),
                    r[1]);
        }
        List<X509Certificate> chain = Pem.readCertificates(dir.resolve("server.pem"));
        assertEquals(2, chain.size());
        assertEquals(Pem.readCertificates(dir.resolve("ca.pem")).get(0), chain.get(1));
        Set<Object> names = new HashSet<>();
        chain.get(0).getSubjectAlternativeNames().forEach(n -> names.add(n.get(1)));
        assertTrue(names.containsAll(Set.of("127.0.0.1", "localhost", "10.0.0.7", "fl4j.lan")), names.toString());
        assertEquals("EC", Pem.readPrivateKey(dir.resolve("server.key")).getAlgorithm());
        try (var files = Files.list(dir)) {
            assertEquals(
                    Set.of("ca.pem", "server.pem", "server.key", "authorized_keys", "client-0.key", "client-1.key"),
                    files.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void refusesToOverwriteAndBadSettings() {
        Path dir = tmp.resolve("pki");
        assertEquals("0", run("keys", "--out", dir.toString(), "--clients", "1")[0]);
        String[] again = run("keys", "--out", dir.toString(), "--clients", "1");
        assertEquals("1", again[0]);
        assertTrue(again[2].contains("ca.pem") && again[2].contains("refusing to overwrite"), again[2]);
        String[] host = run("keys", "--out", tmp.resolve("b").toString(), "--host", "no spaces");
        assertEquals("2", host[0]);
        assertTrue(host[2].contains("\"no spaces\" is neither an IP address nor a DNS name"), host[2]);
        String[] clients = run("keys", "--out", tmp.resolve("c").toString(), "--clients", "-1");
        assertEquals("2", clients[0]);
        assertTrue(clients[2].contains("--clients must be in [0, 100000], got -1"), clients[2]);
    }
}
