package dev.fl4j.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fl4j.secagg.SecAggException.Kind;
import dev.fl4j.secagg.SecAggMessages.Addressed;
import dev.fl4j.secagg.SecAggMessages.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Malformed and hostile messages, each refused with its own kind and a message that says what came,
 * and the round goes on to the exact sum while the threshold still holds.
 */
class SecAggHostileMessagesTest {

    private static SecAggException refused(Kind kind, String fragment, Executable e) {
        SecAggException x = assertThrows(SecAggException.class, e);
        assertEquals(kind, x.kind(), x.getMessage());
        assertTrue(x.getMessage().contains(fragment), x.getMessage());
        return x;
    }

    private static byte[] withInt(byte[] m, int offset, int value) {
        byte[] c = m.clone();
        ByteBuffer.wrap(c).putInt(offset, value);
        return c;
    }

    private static byte[] withSender(byte[] m, int sender) {
        return withInt(m, 20, sender);
    }

    private static List<Addressed> entries(byte[] m, int clients) {
        SecAggMessages.Reader r = new SecAggMessages.Reader(m);
        r.header();
        return SecAggMessages.readAddressed(r, clients);
    }

    private static Set<Integer> all(int n) {
        return IntStream.rangeClosed(1, n).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    /** Hostile messages at every stage of one round; each is refused and the round still ends in the exact sum. */
    @Test
    void theServerRefusesEachHostileMessageAndTheRoundGoesOn() {
        Harness h = new Harness(9, 5, 3, 16, 50);
        SecAggPlusServer s = h.server;
        byte[] session = s.sessionId();

        // stage 0: advertise keys
        Map<Integer, byte[]> adv = h.answer(id -> true);
        byte[] one = adv.get(1);
        s.receive(one);
        refused(Kind.DUPLICATE, "client 1 advertised keys twice", () -> s.receive(one));
        refused(
                Kind.DUPLICATE_KEY,
                "client 2 advertised a public key client 1 already advertised",
                () -> s.receive(withSender(one, 2)));
        refused(
                Kind.UNKNOWN_CLIENT,
                "from client 99, not a client of this session",
                () -> s.receive(withSender(one, 99)));
        byte[] otherSession = one.clone();
        otherSession[5] ^= 1;
        refused(Kind.WRONG_SESSION, "belongs to another session", () -> s.receive(otherSession));
        refused(
                Kind.MISADDRESSED,
                "addressed to client 3, not the server",
                () -> s.receive(withInt(adv.get(2), 24, 3)));
        byte[] shortKey = SecAggMessages.advertiseKeys(session, 2, new byte[31], new byte[32]);
        refused(Kind.BAD_KEY, "is 31 bytes long; an X25519 public key has 32", () -> s.receive(shortKey));
        byte[] ff = new byte[32];
        Arrays.fill(ff, (byte) 0xFF);
        refused(
                Kind.BAD_KEY,
                "not canonical",
                () -> s.receive(SecAggMessages.advertiseKeys(session, 2, ff, new byte[32])));
        refused(
                Kind.WRONG_STAGE,
                "expecting ADVERTISE_KEYS",
                () -> s.receive(SecAggMessages.maskedInput(session, 2, new long[50], 16)));
        refused(Kind.MALFORMED, "bytes follow the end", () -> {
            byte[] longer = Arrays.copyOf(adv.get(2), adv.get(2).length + 1);
            s.receive(longer);
        });
        for (int id = 2; id <= 9; id++) {
            s.receive(adv.get(id));
        }
        h.toClients = s.advance();

        // stage 1: share keys
        Map<Integer, byte[]> shares = h.answer(id -> true);
        refused(
                Kind.WRONG_STAGE,
                "ADVERTISE_KEYS from client 1 while the session is at stage SHARE_KEYS",
                () -> s.receive(one));
        int nonNeighbour = all(9).stream()
                .filter(v -> v != 1 && !s.neighboursOf(1).contains(v))
                .findFirst()
                .orElseThrow();
        List<Addressed> mine = new ArrayList<>(entries(shares.get(1), 9));
        mine.set(0, new Addressed(nonNeighbour, mine.get(0).ciphertext()));
        refused(
                Kind.NOT_A_NEIGHBOUR,
                "client 1 addressed shares to client " + nonNeighbour,
                () -> s.receive(SecAggMessages.addressed(Type.SHARE_KEYS, session, 1, 0, mine)));
        List<Addressed> fewer = entries(shares.get(1), 9).subList(0, 3);
        refused(
                Kind.WRONG_LENGTH,
                "client 1 sent shares for 3 neighbours, it was sent 4",
                () -> s.receive(SecAggMessages.addressed(Type.SHARE_KEYS, session, 1, 0, fewer)));
        for (byte[] m : shares.values()) {
            s.receive(m);
        }
        refused(Kind.DUPLICATE, "client 4 sent its shares twice", () -> s.receive(shares.get(4)));
        h.toClients = s.advance();

        // stage 2: masked input
        Map<Integer, byte[]> masked = h.answer(id -> true);
        byte[] shortVector = SecAggMessages.maskedInput(session, 1, new long[49], 16);
        refused(Kind.WRONG_LENGTH, "masked input declares 49 elements", () -> s.receive(shortVector));
        byte[] lying = withInt(masked.get(1), 28, 50);
        byte[] truncated = Arrays.copyOf(lying, lying.length - 1);
        refused(Kind.WRONG_LENGTH, "takes 100 bytes, the message has 99", () -> s.receive(truncated));
        Harness odd = new Harness(3, 3, 2, 3, 3); // 9 bits in 2 bytes: 7 padding bits
        for (int st = 0; st < 2; st++) {
            odd.stage(id -> true);
        }
        byte[] oddMasked = odd.answer(id -> id == 1).get(1);
        oddMasked[oddMasked.length - 1] |= (byte) 0x80;
        refused(Kind.OUT_OF_RANGE, "a value outside the modulus 2^3", () -> odd.server.receive(oddMasked));
        for (byte[] m : masked.values()) {
            s.receive(m);
        }
        refused(Kind.DUPLICATE, "client 2 sent a second masked input", () -> s.receive(masked.get(2)));
        h.toClients = s.advance();

        // stage 3: unmasking
        Map<Integer, byte[]> responses = h.answer(id -> true);
        for (byte[] m : responses.values()) {
            s.receive(m);
        }
        refused(Kind.SECOND_RESPONSE, "client 3 sent a second unmasking response", () -> s.receive(responses.get(3)));
        h.toClients = s.advance();
        refused(Kind.SECOND_RESPONSE, "after the session finished", () -> s.receive(responses.get(3)));
        assertArrayEquals(h.plainSum(all(9)), s.sum(), "every refusal left the round intact");
    }

    @Test
    void aResponseThatDoesNotMatchItsRequestIsRefused() {
        Harness h = new Harness(5, 5, 3, 8, 4);
        h.stage(id -> true);
        h.stage(id -> true);
        h.stage(id -> id != 5); // 5 drops: the others are asked for its mask key share
        Map<Integer, byte[]> responses = h.answer(id -> true);
        SecAggMessages.Reader r = new SecAggMessages.Reader(responses.get(1));
        r.header();
        List<SecAggMessages.UnmaskShare> shares = SecAggMessages.readUnmaskResponse(r, 5);
        List<SecAggMessages.UnmaskShare> flipped = new ArrayList<>();
        for (SecAggMessages.UnmaskShare s : shares) {
            flipped.add(new SecAggMessages.UnmaskShare(s.owner(), s.owner() == 5 || s.seedShare(), s.share()));
        }
        byte[] leak = SecAggMessages.unmaskResponse(h.server.sessionId(), 1, flipped);
        refused(
                Kind.CONFLICTING_REQUEST,
                "sent a self-mask seed share of client 5 but was asked for its mask key",
                () -> h.server.receive(leak));
        for (byte[] m : responses.values()) {
            h.server.receive(m);
        }
        h.server.advance();
        Set<Integer> counted = new TreeSet<>(all(4));
        assertArrayEquals(h.plainSum(counted), h.server.sum());
    }

    @Test
    void theClientRefusesHostileServerMessages() {
        Harness h = new Harness(7, 5, 3, 12, 20);
        SecAggPlusClient c1 = h.clients[1];
        byte[] setup1 = h.toClients.get(1);
        refused(
                Kind.WRONG_STAGE,
                "is at stage AWAITING_SETUP and got NEIGHBOUR_KEYS",
                () -> c1.onSetup(SecAggMessages.neighbourKeys(h.server.sessionId(), 1, List.of())));
        byte[] badParams = withInt(setup1, 36, 6); // reconstruction_threshold 6 > num_shares 5
        refused(
                Kind.INVALID_PARAMETERS,
                "reconstruction_threshold 6 exceeds num_shares 5",
                () -> new SecAggPlusClient().onSetup(badParams));
        h.stage(id -> true);
        byte[] keys1 = h.toClients.get(1);
        refused(Kind.MISADDRESSED, "reached client 2", () -> h.clients[2].onNeighbourKeys(keys1));
        byte[] otherSession = keys1.clone();
        otherSession[10] ^= 4;
        refused(Kind.WRONG_SESSION, "another session", () -> c1.onNeighbourKeys(otherSession));
        refused(
                Kind.BELOW_THRESHOLD,
                "has 1 neighbours left",
                () -> c1.onNeighbourKeys(SecAggMessages.neighbourKeys(
                        h.server.sessionId(), 1, List.of(new SecAggMessages.NeighbourKeys(2, key(7), key(8))))));
        refused(
                Kind.DUPLICATE,
                "neighbour 2 is listed twice",
                () -> c1.onNeighbourKeys(SecAggMessages.neighbourKeys(
                        h.server.sessionId(),
                        1,
                        List.of(
                                new SecAggMessages.NeighbourKeys(2, key(7), key(8)),
                                new SecAggMessages.NeighbourKeys(2, key(9), key(10))))));
        refused(
                Kind.NOT_A_NEIGHBOUR,
                "client 1 is listed as its own neighbour",
                () -> c1.onNeighbourKeys(SecAggMessages.neighbourKeys(
                        h.server.sessionId(),
                        1,
                        List.of(
                                new SecAggMessages.NeighbourKeys(1, key(7), key(8)),
                                new SecAggMessages.NeighbourKeys(2, key(9), key(10))))));
        h.stage(id -> true);

        // forwarded shares: a flipped ciphertext byte, a sender that is not a neighbour, bad inputs
        byte[] fwd1 = h.toClients.get(1);
        List<Addressed> es = entries(fwd1, 7);
        byte[] ct = es.get(0).ciphertext().clone();
        ct[ct.length - 1] ^= 1; // the tag
        List<Addressed> tampered = new ArrayList<>(es);
        tampered.set(0, new Addressed(es.get(0).peer(), ct));
        refused(
                Kind.BAD_CIPHERTEXT,
                "fail authentication",
                () -> c1.onForwardedShares(
                        SecAggMessages.addressed(Type.FORWARDED_SHARES, h.server.sessionId(), 0, 1, tampered),
                        h.inputs[1]));
        List<Addressed> swapped = new ArrayList<>(es);
        swapped.set(0, new Addressed(es.get(1).peer(), es.get(0).ciphertext()));
        swapped.set(1, new Addressed(es.get(0).peer(), es.get(1).ciphertext()));
        refused(
                Kind.BAD_CIPHERTEXT,
                "fail authentication",
                () -> c1.onForwardedShares(
                        SecAggMessages.addressed(Type.FORWARDED_SHARES, h.server.sessionId(), 0, 1, swapped),
                        h.inputs[1]));
        int stranger = all(7).stream()
                .filter(v -> v != 1 && !h.server.neighboursOf(1).contains(v))
                .findFirst()
                .orElseThrow();
        List<Addressed> foreign = new ArrayList<>(es);
        foreign.set(0, new Addressed(stranger, es.get(0).ciphertext()));
        refused(
                Kind.NOT_A_NEIGHBOUR,
                "shares from client " + stranger,
                () -> c1.onForwardedShares(
                        SecAggMessages.addressed(Type.FORWARDED_SHARES, h.server.sessionId(), 0, 1, foreign),
                        h.inputs[1]));
        refused(Kind.WRONG_LENGTH, "input has 19 elements", () -> c1.onForwardedShares(fwd1, new long[19]));
        long[] tooBig = new long[20];
        tooBig[3] = 1 << 12;
        refused(
                Kind.OUT_OF_RANGE,
                "input element 3 is 4096, outside [0, 4096)",
                () -> c1.onForwardedShares(fwd1, tooBig));
        h.stage(id -> true);

        // unmasking: a request naming one client as survivor and as dropped, then a second request
        int n = h.server.neighboursOf(1).iterator().next();
        byte[] conflicting = SecAggMessages.unmaskRequest(h.server.sessionId(), 1, List.of(n), List.of(1, n));
        refused(Kind.CONFLICTING_REQUEST, "both as dropped and as survivor", () -> c1.onUnmaskRequest(conflicting));
        byte[] ownKey = SecAggMessages.unmaskRequest(h.server.sessionId(), 1, List.of(1), List.of());
        refused(Kind.CONFLICTING_REQUEST, "for its own mask key", () -> c1.onUnmaskRequest(ownKey));
        byte[] req1 = h.toClients.get(1);
        c1.onUnmaskRequest(req1);
        refused(Kind.SECOND_RESPONSE, "answers only one", () -> c1.onUnmaskRequest(req1));
        refused(
                Kind.SECOND_RESPONSE,
                "answers only one",
                () -> c1.onUnmaskRequest(
                        SecAggMessages.unmaskRequest(h.server.sessionId(), 1, List.of(n), List.of(1))));
    }

    private static byte[] key(int seed) {
        return X25519.generate(new java.security.SecureRandom(new byte[] {(byte) seed}))
                .publicKey();
    }
}
