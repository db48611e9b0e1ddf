package dev.fl4j.secagg;

import dev.fl4j.secagg.SecAggException.Kind;
import dev.fl4j.secagg.SecAggMessages.Addressed;
import dev.fl4j.secagg.SecAggMessages.Header;
import dev.fl4j.secagg.SecAggMessages.NeighbourKeys;
import dev.fl4j.secagg.SecAggMessages.Reader;
import dev.fl4j.secagg.SecAggMessages.Type;
import dev.fl4j.secagg.SecAggMessages.UnmaskShare;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One client's side of a SecAgg+ session, a state machine with one method per server message: each
 * parses and checks the message, and returns the client's answer. The stages must come in order;
 * a message for another stage, another session or another client is refused
 * ({@link SecAggException}) and leaves the client as it was.
 *
 * <p>What the client keeps between stages: its two X25519 key pairs until its shares are made, the
 * self-mask seed until its input is masked, its neighbours' keys, and the shares it holds of its
 * neighbours' secrets. It answers one unmasking request only, and refuses one that would reveal both
 * the self-mask seed share and the mask-key share of the same client.
 */
public final class SecAggPlusClient {

    /** What the client waits for. */
    public enum Stage {
        AWAITING_SETUP,
        AWAITING_NEIGHBOUR_KEYS,
        AWAITING_FORWARDED_SHARES,
        AWAITING_UNMASK_REQUEST,
        DONE
    }

    private final SecureRandom random;
    private Stage stage = Stage.AWAITING_SETUP;
    private SecAggPlusParameters p;
    private byte[] session;
    private int id;
    private X25519.KeyPair encryptionKeys;
    private X25519.KeyPair maskKeys;
    private byte[] seed;
    private final Map<Integer, byte[][]> neighbourKeys = new TreeMap<>();
    private final Map<Integer, byte[]> channelKeys = new TreeMap<>();
    private ShareCipher.Shares ownShares;
    private final Map<Integer, ShareCipher.Shares> held = new TreeMap<>();

    /** A client with its own {@link SecureRandom}. */
    public SecAggPlusClient() {
        this(new SecureRandom());
    }

    SecAggPlusClient(SecureRandom random) {
        this.random = random;
    }

    public Stage stage() {
        return stage;
    }

    /** The client's id in its session (from the setup message; 0 before it). */
    public int id() {
        return id;
    }

    /** The session's parameters (from the setup message; null before it). */
    public SecAggPlusParameters parameters() {
        return p;
    }

    /** Stage 0: takes the server's setup, answers with the client's two public keys. */
    public byte[] onSetup(byte[] message) {
        Reader r = new Reader(message);
        Header h = r.header();
        checkType(h, Type.SETUP, Stage.AWAITING_SETUP);
        if (h.sender() != SecAggMessages.SERVER) {
            throw new SecAggException(Kind.MISADDRESSED, "setup from " + h.sender() + ", not from the server");
        }
        SecAggPlusParameters params = SecAggMessages.readSetup(r);
        if (h.receiver() < 1 || h.receiver() > params.clients()) {
            throw new SecAggException(
                    Kind.MISADDRESSED,
                    "setup addresses client " + h.receiver() + ", outside the session's clients 1 to "
                            + params.clients());
        }
        p = params;
        session = h.sessionId();
        id = h.receiver();
        encryptionKeys = X25519.generate(random);
        maskKeys = X25519.generate(random);
        stage = Stage.AWAITING_NEIGHBOUR_KEYS;
        return SecAggMessages.advertiseKeys(session, id, encryptionKeys.publicKey(), maskKeys.publicKey());
    }

    /**
     * Stage 1: takes the neighbours' public keys, answers with its mask key and a fresh self-mask seed
     * Shamir-shared among itself and the neighbours, each neighbour's shares encrypted for it.
     */
    public byte[] onNeighbourKeys(byte[] message) {
        Reader r = receive(message, Type.NEIGHBOUR_KEYS, Stage.AWAITING_NEIGHBOUR_KEYS);
        List<NeighbourKeys> ns = SecAggMessages.readNeighbourKeys(r, p.clients());
        if (ns.size() > p.neighbours()) {
            throw new SecAggException(
                    Kind.NOT_A_NEIGHBOUR,
                    "client " + id + " was sent " + ns.size() + " neighbours, more than num_shares − 1 = "
                            + p.neighbours());
        }
        if (ns.size() + 1 < p.reconstructionThreshold()) {
            throw new SecAggException(
                    Kind.BELOW_THRESHOLD,
                    "client " + id + " has " + ns.size()
                            + " neighbours left, its secrets need reconstruction_threshold "
                            + p.reconstructionThreshold()
                            + " holders (itself included)");
        }
        Set<Integer> ids = new HashSet<>();
        List<byte[]> seenKeys = new ArrayList<>(List.of(encryptionKeys.publicKey(), maskKeys.publicKey()));
        Map<Integer, byte[]> channels = new TreeMap<>();
        for (NeighbourKeys n : ns) {
            checkPeer(n.client(), "a neighbour");
            if (!ids.add(n.client())) {
                throw new SecAggException(Kind.DUPLICATE, "neighbour " + n.client() + " is listed twice");
            }
            for (byte[] k : List.of(n.encryptionKey(), n.maskKey())) {
                for (byte[] s : seenKeys) {
                    if (Arrays.equals(s, k)) {
                        throw new SecAggException(
                                Kind.DUPLICATE_KEY,
                                "neighbour " + n.client()
                                        + "'s public key repeats one already listed (or this client's own)");
                    }
                }
                seenKeys.add(k);
            }
            try {
                X25519.checkPublicKey(n.maskKey());
                channels.put(
                        n.client(),
                        ShareCipher.key(X25519.agree(encryptionKeys.privateKey(), n.encryptionKey()), session));
            } catch (X25519.InvalidPublicKeyException e) {
                throw new SecAggException(Kind.BAD_KEY, "neighbour " + n.client() + ": " + e.getMessage());
            }
        }
        int[] xs = new int[ns.size() + 1];
        xs[0] = id;
        for (int i = 0; i < ns.size(); i++) {
            xs[i + 1] = ns.get(i).client();
        }
        seed = new byte[32];
        random.nextBytes(seed);
        byte[][] keyShares = Shamir.split(maskKeys.privateKey(), xs, p.reconstructionThreshold(), random);
        byte[][] seedShares = Shamir.split(seed, xs, p.reconstructionThreshold(), random);
        List<Addressed> out = new ArrayList<>();
        for (int i = 0; i < ns.size(); i++) {
            int v = xs[i + 1];
            out.add(new Addressed(
                    v,
                    ShareCipher.encrypt(
                            channels.get(v),
                            session,
                            id,
                            v,
                            new ShareCipher.Shares(keyShares[i + 1], seedShares[i + 1]),
                            random)));
        }
        ownShares = new ShareCipher.Shares(keyShares[0], seedShares[0]);
        for (NeighbourKeys n : ns) {
            neighbourKeys.put(n.client(), new byte[][] {n.encryptionKey(), n.maskKey()});
        }
        channelKeys.putAll(channels);
        Arrays.fill(encryptionKeys.privateKey(), (byte) 0);
        stage = Stage.AWAITING_FORWARDED_SHARES;
        return SecAggMessages.addressed(Type.SHARE_KEYS, session, id, SecAggMessages.SERVER, out);
    }

    /**
     * Stage 2: takes the shares its neighbours sent it (through the server) and its input, answers with
     * the input masked by its self mask and the pairwise masks shared with those neighbours.
     *
     * @param input {@code vector_length} values, each in {@code [0, 2^bitwidth)}
     */
    public byte[] onForwardedShares(byte[] message, long[] input) {
        Reader r = receive(message, Type.FORWARDED_SHARES, Stage.AWAITING_FORWARDED_SHARES);
        List<Addressed> entries = SecAggMessages.readAddressed(r, p.clients());
        Map<Integer, ShareCipher.Shares> received = new TreeMap<>();
        for (Addressed a : entries) {
            if (!neighbourKeys.containsKey(a.peer())) {
                throw new SecAggException(
                        Kind.NOT_A_NEIGHBOUR,
                        "client " + id + " was forwarded shares from client " + a.peer()
                                + ", which is not one of its neighbours " + neighbourKeys.keySet());
            }
            if (received.containsKey(a.peer())) {
                throw new SecAggException(Kind.DUPLICATE, "shares from client " + a.peer() + " were forwarded twice");
            }
            received.put(
                    a.peer(), ShareCipher.decrypt(channelKeys.get(a.peer()), session, a.peer(), id, a.ciphertext()));
        }
        if (received.size() + 1 < p.reconstructionThreshold()) {
            throw new SecAggException(
                    Kind.BELOW_THRESHOLD,
                    "client " + id + " received shares from "
                            + received.size() + " neighbours; with itself that is fewer than reconstruction_threshold "
                            + p.reconstructionThreshold());
        }
        if (input == null || input.length != p.vectorLength()) {
            throw new SecAggException(
                    Kind.WRONG_LENGTH,
                    "client " + id + "'s input has "
                            + (input == null ? "no" : String.valueOf(input.length))
                            + " elements, the session's vectors have "
                            + p.vectorLength());
        }
        long modulus = p.modulus();
        for (int j = 0; j < input.length; j++) {
            if (input[j] < 0 || input[j] >= modulus) {
                throw new SecAggException(
                        Kind.OUT_OF_RANGE,
                        "client " + id + "'s input element " + j + " is " + input[j] + ", outside [0, " + modulus
                                + ")");
            }
        }
        long[] y = input.clone();
        MaskPrg.apply(seed, y, false, p.bitwidth());
        for (int v : received.keySet()) {
            byte[] pairSeed = Masks.pairwiseSeed(
                    X25519.agree(maskKeys.privateKey(), neighbourKeys.get(v)[1]), session, id, v);
            MaskPrg.apply(pairSeed, y, Masks.subtracts(id, v), p.bitwidth());
        }
        held.putAll(received);
        Arrays.fill(seed, (byte) 0);
        Arrays.fill(maskKeys.privateKey(), (byte) 0);
        seed = null;
        stage = Stage.AWAITING_UNMASK_REQUEST;
        return SecAggMessages.maskedInput(session, id, y, p.bitwidth());
    }

    /**
     * Stage 3: takes the server's list of neighbours that dropped and that survived, answers with the
     * mask-key share of each dropped one and the self-mask seed share of each survivor (itself
     * included). Answers once.
     */
    public byte[] onUnmaskRequest(byte[] message) {
        if (stage == Stage.DONE) {
            new Reader(message).header();
            throw new SecAggException(
                    Kind.SECOND_RESPONSE,
                    "client " + id + " already answered an unmasking request in this session and answers only one");
        }
        Reader r = receive(message, Type.UNMASK_REQUEST, Stage.AWAITING_UNMASK_REQUEST);
        List<Integer>[] lists = SecAggMessages.readUnmaskRequest(r, p.clients());
        Set<Integer> dropped = new HashSet<>();
        Set<Integer> survivors = new HashSet<>();
        List<UnmaskShare> out = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            boolean survivor = k == 1;
            for (int u : lists[k]) {
                if (dropped.contains(u) || survivors.contains(u)) {
                    boolean both = survivor ? dropped.contains(u) : survivors.contains(u);
                    String why = both
                            ? " both as dropped and as survivor: revealing both its mask key and its self-mask seed"
                                    + " would reveal its input"
                            : " twice";
                    throw new SecAggException(
                            both ? Kind.CONFLICTING_REQUEST : Kind.DUPLICATE,
                            "the unmasking request names client " + u + why);
                }
                if (u == id && !survivor) {
                    throw new SecAggException(
                            Kind.CONFLICTING_REQUEST,
                            "the unmasking request asks client " + id
                                    + " for its own mask key, but it sent its masked input");
                }
                ShareCipher.Shares s = u == id ? ownShares : held.get(u);
                if (s == null) {
                    throw new SecAggException(
                            Kind.NOT_A_NEIGHBOUR,
                            "the unmasking request names client " + u + ", whose shares client " + id
                                    + " does not hold");
                }
                (survivor ? survivors : dropped).add(u);
                out.add(new UnmaskShare(u, survivor, survivor ? s.seedShare() : s.maskKeyShare()));
            }
        }
        stage = Stage.DONE;
        held.clear();
        ownShares = null;
        return SecAggMessages.unmaskResponse(session, id, out);
    }

    private Reader receive(byte[] message, Type type, Stage expected) {
        Reader r = new Reader(message);
        Header h = r.header();
        checkType(h, type, expected);
        if (!Arrays.equals(h.sessionId(), session)) {
            throw new SecAggException(
                    Kind.WRONG_SESSION,
                    h.type() + " belongs to another session than client " + id + "'s (a replay from another round?)");
        }
        if (h.sender() != SecAggMessages.SERVER || h.receiver() != id) {
            throw new SecAggException(
                    Kind.MISADDRESSED,
                    h.type() + " from " + h.sender() + " to " + h.receiver() + " reached client " + id
                            + "; it takes messages from the server (0) to itself");
        }
        return r;
    }

    private void checkType(Header h, Type type, Stage expected) {
        if (stage != expected || h.type() != type) {
            throw new SecAggException(
                    Kind.WRONG_STAGE,
                    "client " + id + " is at stage " + stage + " and got " + h.type()
                            + (stage == expected ? ", expected " + type : ""));
        }
    }

    private void checkPeer(int peer, String what) {
        if (peer < 1 || peer > p.clients()) {
            throw new SecAggException(
                    Kind.UNKNOWN_CLIENT, what + " " + peer + " is outside the session's clients 1 to " + p.clients());
        }
        if (peer == id) {
            throw new SecAggException(Kind.NOT_A_NEIGHBOUR, "client " + id + " is listed as its own neighbour");
        }
    }
}
