package dev.fl4j.deploy.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizedKeysTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void formatParsesBackWithIdsComputedFromTheKeys() {
        ClientKey a = ClientKey.generate(RANDOM);
        ClientKey b = ClientKey.generate(RANDOM);
        AuthorizedKeys keys = AuthorizedKeys.of(List.of(a.publicKey(), b.publicKey()));
        AuthorizedKeys back = AuthorizedKeys.parse(keys.format() + "\n# a comment\n\n");
        assertEquals(List.of(a.id(), b.id()), List.copyOf(back.ids()));
        assertEquals(a.publicKey(), back.publicKey(a.id()).orElseThrow());
        assertTrue(back.label(a.id()).isEmpty());
        assertTrue(back.publicKey("00".repeat(32)).isEmpty());
    }

    @Test
    void malformedLinesAreRefusedNamingTheLine() throws Exception {
        String key = Base64.getEncoder()
                .encodeToString(ClientKey.generate(RANDOM).publicKey().getEncoded());
        assertRefused("ed25519 " + key + "\ned25519 " + key + "\n", "line 2: key of client ");
        assertRefused("# c\nrsa " + key + "\n", "line 2: key type must be ed25519");
        assertRefused("ed25519\n", "line 1: expected \"ed25519 BASE64-KEY [label]\", got 1 fields");
        assertRefused("ed25519 " + key + " a b\n", "got 4 fields");
        assertRefused("ed25519 " + key + " bad/label\n", "line 1: label \"bad/label\" must be");
        assertRefused("ed25519 not-base64!\n", "line 1: ");
        assertRefused("ed25519 " + key.substring(4) + "\n", "line 1: ");
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256, RANDOM);
        String ecKey = Base64.getEncoder()
                .encodeToString(ec.generateKeyPair().getPublic().getEncoded());
        assertRefused("ed25519 " + ecKey + "\n", "line 1: not an Ed25519 public key");
    }

    @Test
    void onlyEd25519KeysAreAdmitted() throws Exception {
        KeyPairGenerator ed448 = KeyPairGenerator.getInstance("Ed448");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AuthorizedKeys.of(List.of(ed448.generateKeyPair().getPublic())));
        assertTrue(e.getMessage().contains("a client key must be Ed25519"), e.getMessage());
    }

    private static void assertRefused(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuthorizedKeys.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
