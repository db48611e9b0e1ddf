package dev.fl4j.deploy.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.deploy.security.AuthenticationFailedException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RequestAuthenticationTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ClientKey ALICE = ClientKey.generate(RANDOM);
    private static final ClientKey BOB = ClientKey.generate(RANDOM);
    private static final ClientKey MALLORY = ClientKey.generate(RANDOM);
    private static final byte[] BODY = "push result round 3".getBytes(StandardCharsets.UTF_8);
    private static final Duration WINDOW = Duration.ofSeconds(30);

    private final TestClock clock = new TestClock(1_800_000_000_000L);
    private final RequestVerifier verifier = new RequestVerifier(
            AuthorizedKeys.of(List.of(ALICE.publicKey(), BOB.publicKey())), 1, clock, WINDOW, 1_000);
    private final RequestSigner alice = new RequestSigner(ALICE, 1, clock, RANDOM);

    @Test
    void aSignedRequestVerifiesAsItsClient() {
        byte[] envelope = alice.sign("PushResult", BODY);
        assertTrue(envelope.length <= SignedEnvelope.MAX_BYTES);
        assertEquals(188, envelope.length);
        assertEquals(ALICE.id(), verifier.verify("PushResult", BODY, envelope));
        assertEquals(ALICE.id(), verifier.verify("PushResult", BODY, alice.sign("PushResult", BODY), ALICE.id()));
        RequestSigner bob = new RequestSigner(BOB, 1, clock, RANDOM);
        assertEquals(BOB.id(), verifier.verify("Heartbeat", new byte[0], bob.sign("Heartbeat", new byte[0])));
        assertEquals(3, verifier.rememberedNonces());
    }

    @Test
    void theEnvelopeRoundTripsAndItsNoncesAreFresh() {
        byte[] a = alice.sign("PullTask", BODY);
        byte[] b = alice.sign("PullTask", BODY);
        SignedEnvelope ea = SignedEnvelope.parse(a);
        SignedEnvelope eb = SignedEnvelope.parse(b);
        assertArrayEquals(a, ea.encode());
        assertEquals(ALICE.id(), ea.clientId());
        assertEquals(1, ea.protocolVersion());
        assertEquals(clock.millis(), ea.timestampMillis());
        assertArrayEquals(ClientKey.sha256(BODY), ea.bodyHash());
        assertNotEquals(
                java.util.HexFormat.of().formatHex(ea.nonce()),
                java.util.HexFormat.of().formatHex(eb.nonce()));
    }

    @Test
    void aReplayIsRejected() {
        byte[] envelope = alice.sign("PushResult", BODY);
        assertEquals(ALICE.id(), verifier.verify("PushResult", BODY, envelope));
        clock.advance(Duration.ofSeconds(5));
        assertRejected(Reason.REPLAYED_NONCE, () -> verifier.verify("PushResult", BODY, envelope));
        // after the window the replay is refused by its timestamp, and the nonce is forgotten
        clock.advance(WINDOW);
        assertRejected(Reason.EXPIRED, () -> verifier.verify("PushResult", BODY, envelope));
        assertEquals(0, verifier.rememberedNonces());
    }

    @Test
    void anUnknownKeyIsRejected() {
        RequestSigner mallory = new RequestSigner(MALLORY, 1, clock, RANDOM);
        assertRejected(Reason.UNKNOWN_KEY, () -> verifier.verify("Register", BODY, mallory.sign("Register", BODY)));
    }

    @Test
    void aSignatureByAnotherKeyOrForAnotherMethodIsBad() {
        // Mallory signs with her key but names Alice's id
        byte[] signed = SignedEnvelope.signedBytes(
                1, ALICE.id(), "PushResult", clock.millis(), new byte[16], ClientKey.sha256(BODY));
        byte[] forged = new SignedEnvelope(
                        1, ALICE.id(), clock.millis(), new byte[16], ClientKey.sha256(BODY), sign(MALLORY, signed))
                .encode();
        assertRejected(Reason.BAD_SIGNATURE, () -> verifier.verify("PushResult", BODY, forged));
        // Alice's genuine envelope for one method replayed against another
        byte[] heartbeat = alice.sign("Heartbeat", BODY);
        assertRejected(Reason.BAD_SIGNATURE, () -> verifier.verify("PushResult", BODY, heartbeat));
        // any flipped bit in the signed fields or the signature
        byte[] genuine = alice.sign("PushResult", BODY);
        for (int at : new int[] {2, 5, 70, 80, 100, 130, 187}) {
            byte[] tampered = genuine.clone();
            tampered[at] ^= 1;
            Reason expected =
                    at == 2 ? Reason.UNSUPPORTED_PROTOCOL_VERSION : at == 5 ? Reason.UNKNOWN_KEY : Reason.BAD_SIGNATURE;
            if (at == 5) {
                tampered[at] = (byte) (genuine[at] == 'a' ? 'b' : 'a'); // another hex digit, another id
            }
            assertRejected(expected, () -> verifier.verify("PushResult", BODY, tampered));
        }
        assertEquals(ALICE.id(), verifier.verify("PushResult", BODY, genuine), "nothing refused consumed the nonce");
    }

    /**
     * The verifier (BouncyCastle's Ed25519) and the JDK's agree: a genuine signature verifies with both, and every
     * one-bit change of the signature, and the malleable twin S + L of its scalar, is refused by both.
     */
    @Test
    void theVerifierAcceptsAndRefusesTheSignaturesTheJdkDoes() throws Exception {
        byte[] genuine = alice.sign("PushResult", BODY);
        byte[] signed = SignedEnvelope.parse(genuine).signedBytes("PushResult");
        int at = genuine.length - SignedEnvelope.SIGNATURE_BYTES;
        byte[] signature = java.util.Arrays.copyOfRange(genuine, at, genuine.length);
        assertTrue(jdkVerifies(signed, signature));
        List<byte[]> bad = new java.util.ArrayList<>();
        for (int bit = 0; bit < 8 * SignedEnvelope.SIGNATURE_BYTES; bit++) {
            byte[] flipped = signature.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            bad.add(flipped);
        }
        // S + L (little-endian, the group order L = 2^252 + 27742317777372353535851937790883648493) is the same
        // scalar mod L: a verifier that does not insist on S < L accepts it
        byte[] order = new java.math.BigInteger("27742317777372353535851937790883648493")
                .add(java.math.BigInteger.TWO.pow(252))
                .toByteArray();
        byte[] twin = signature.clone();
        int carry = 0;
        for (int i = 0; i < 32; i++) {
            int l = i < order.length ? order[order.length - 1 - i] & 0xff : 0;
            int sum = (twin[32 + i] & 0xff) + l + carry;
            twin[32 + i] = (byte) sum;
            carry = sum >> 8;
        }
        bad.add(twin);
        for (byte[] b : bad) {
            assertTrue(!jdkVerifies(signed, b), "the JDK refuses it too");
            byte[] tampered = genuine.clone();
            System.arraycopy(b, 0, tampered, at, b.length);
            assertRejected(Reason.BAD_SIGNATURE, () -> verifier.verify("PushResult", BODY, tampered));
        }
        assertEquals(ALICE.id(), verifier.verify("PushResult", BODY, genuine));
    }

    /** The signer's BouncyCastle signatures are bit for bit the JDK's (Ed25519 is deterministic), for any key. */
    @Test
    void theSignerSignsAsTheJdkDoes() throws Exception {
        for (ClientKey key : List.of(ALICE, BOB, MALLORY, ClientKey.generate(RANDOM))) {
            RequestSigner signer = new RequestSigner(key, 1, clock, RANDOM);
            for (String method : List.of("PushResult", "Heartbeat")) {
                byte[] envelope = signer.sign(method, BODY);
                SignedEnvelope e = SignedEnvelope.parse(envelope);
                java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
                jdk.initSign(key.privateKey());
                jdk.update(e.signedBytes(method));
                assertArrayEquals(jdk.sign(), e.signature(), key + " " + method);
            }
        }
    }

    private static boolean jdkVerifies(byte[] signed, byte[] signature) throws Exception {
        java.security.Signature s = java.security.Signature.getInstance("Ed25519");
        s.initVerify(ALICE.publicKey());
        s.update(signed);
        try {
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    @Test
    void aChangedBodyIsRejected() {
        byte[] envelope = alice.sign("PushResult", BODY);
        byte[] other = BODY.clone();
        other[0] ^= 1;
        assertRejected(Reason.BODY_HASH_MISMATCH, () -> verifier.verify("PushResult", other, envelope));
    }

    @Test
    void aClientCannotActForAnother() {
        byte[] envelope = alice.sign("PushResult", BODY);
        AuthenticationFailedException e = assertRejected(
                Reason.CLIENT_ID_MISMATCH, () -> verifier.verify("PushResult", BODY, envelope, BOB.id()));
        assertTrue(
                e.getMessage().contains("client " + ALICE.id() + " sent a PushResult request for client \"" + BOB.id()),
                e.getMessage());
    }

    @Test
    void oldAndFutureTimestampsAreRejectedAtTheWindowsEdges() {
        TestClock signerClock = new TestClock(clock.millis() - WINDOW.toMillis());
        RequestSigner early = new RequestSigner(ALICE, 1, signerClock, RANDOM);
        assertEquals(ALICE.id(), verifier.verify("A", BODY, early.sign("A", BODY)), "exactly the window old is fresh");
        signerClock.advance(Duration.ofMillis(-1));
        assertRejected(Reason.EXPIRED, () -> verifier.verify("A", BODY, early.sign("A", BODY)));
        signerClock.advance(Duration.ofMillis(1 + 2 * WINDOW.toMillis()));
        assertEquals(
                ALICE.id(), verifier.verify("A", BODY, early.sign("A", BODY)), "exactly the window ahead is fresh");
        signerClock.advance(Duration.ofMillis(1));
        assertRejected(Reason.FROM_THE_FUTURE, () -> verifier.verify("A", BODY, early.sign("A", BODY)));
        signerClock.advance(Duration.ofDays(100_000_000L));
        assertRejected(Reason.FROM_THE_FUTURE, () -> verifier.verify("A", BODY, early.sign("A", BODY)));
    }

    @Test
    void anotherProtocolVersionIsRejected() {
        RequestSigner v2 = new RequestSigner(ALICE, 2, clock, RANDOM);
        assertRejected(Reason.UNSUPPORTED_PROTOCOL_VERSION, () -> verifier.verify("A", BODY, v2.sign("A", BODY)));
    }

    @Test
    void malformedEnvelopesAreRejected() {
        byte[] genuine = alice.sign("A", BODY);
        assertRejected(Reason.MALFORMED_ENVELOPE, () -> verifier.verify("A", BODY, new byte[0]));
        assertRejected(Reason.MALFORMED_ENVELOPE, () -> verifier.verify("A", BODY, null));
        assertRejected(
                Reason.MALFORMED_ENVELOPE, () -> verifier.verify("A", BODY, java.util.Arrays.copyOf(genuine, 187)));
        assertRejected(
                Reason.MALFORMED_ENVELOPE, () -> verifier.verify("A", BODY, java.util.Arrays.copyOf(genuine, 189)));
        byte[] format = genuine.clone();
        format[0] = 2;
        assertRejected(Reason.MALFORMED_ENVELOPE, () -> verifier.verify("A", BODY, format));
        byte[] idChar = genuine.clone();
        idChar[4] = 'G';
        assertRejected(Reason.MALFORMED_ENVELOPE, () -> verifier.verify("A", BODY, idChar));
        byte[] idLength = genuine.clone();
        idLength[3] = 63;
        assertRejected(Reason.MALFORMED_ENVELOPE, () -> verifier.verify("A", BODY, idLength));
    }

    @Test
    void aFullNonceCacheRefusesInsteadOfForgetting() {
        RequestVerifier small = new RequestVerifier(AuthorizedKeys.of(List.of(ALICE.publicKey())), 1, clock, WINDOW, 2);
        assertEquals(ALICE.id(), small.verify("A", BODY, alice.sign("A", BODY)));
        byte[] second = alice.sign("A", BODY);
        assertEquals(ALICE.id(), small.verify("A", BODY, second));
        assertRejected(Reason.NONCE_CACHE_FULL, () -> small.verify("A", BODY, alice.sign("A", BODY)));
        assertRejected(Reason.REPLAYED_NONCE, () -> small.verify("A", BODY, second), "still remembered");
        clock.advance(WINDOW.plusMillis(1));
        assertEquals(0, small.rememberedNonces());
        assertEquals(ALICE.id(), small.verify("A", BODY, alice.sign("A", BODY)), "room again once the window passed");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> alice.sign("", BODY));
        assertThrows(IllegalArgumentException.class, () -> alice.sign("x".repeat(257), BODY));
        assertThrows(IllegalArgumentException.class, () -> alice.signBodyHash("A", new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new RequestSigner(ALICE, 65_536));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RequestVerifier(verifier.authorizedKeys(), 1, clock, Duration.ZERO, 10));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RequestVerifier(verifier.authorizedKeys(), 1, clock, WINDOW, 0));
    }

    private static byte[] sign(ClientKey key, byte[] data) {
        try {
            java.security.Signature s = java.security.Signature.getInstance("Ed25519");
            s.initSign(key.privateKey());
            s.update(data);
            return s.sign();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static AuthenticationFailedException assertRejected(Reason reason, Executable call) {
        return assertRejected(reason, call, "");
    }

    static AuthenticationFailedException assertRejected(Reason reason, Executable call, String note) {
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class, call, note);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith(reason + ": "), e.getMessage());
        return e;
    }
}
