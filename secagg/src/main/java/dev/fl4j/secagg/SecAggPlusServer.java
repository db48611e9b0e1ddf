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
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's side of one SecAgg+ session, a state machine driven by the messages it receives.
 *
 * <p>Use: {@link #start()} gives the setup message for every client; then, for each of the four stages,
 * {@link #receive} every client message that arrives and, when the stage's deadline passes (the
 * transport decides when), {@link #advance()}, which closes the stage (clients that sent nothing valid
 * count as dropped) and returns the next stage's messages by client id. After the unmasking stage
 * {@link #advance()} computes {@link #sum()}. A refused message throws a {@link SecAggException} and
 * leaves the state as it was, so the stage goes on without it; a stage that leaves too few clients or
 * shares to finish throws {@link Kind#BELOW_THRESHOLD} from {@link #advance()} and the session is
 * {@linkplain Stage#FAILED failed}.
 *
 * <p>What the server holds: public keys, ciphertexts it cannot read, the running sum of masked inputs
 * (one accumulator, not one vector per client), and at the end the shares it asked for: the self-mask
 * seeds of the clients whose masked input it counted and the mask keys of those that dropped after
 * sharing theirs, never both for one client (a client refuses a request that would). Dropouts are
 * handled at every stage: a client whose secrets could no longer be rebuilt (fewer than
 * {@code reconstruction_threshold} of its share holders left) is removed from the round before it sends
 * its masked input, and a client that dropped after its neighbours masked with it has those masks
 * removed with its rebuilt mask key.
 *
 * <p>Not thread-safe: a transport calls it from one thread or under one lock.
 */
public final class SecAggPlusServer {

    /** The stage a session is in. */
    public enum Stage {
        NOT_STARTED,
        ADVERTISE_KEYS,
        SHARE_KEYS,
        MASKED_INPUT,
        UNMASKING,
        DONE,
        FAILED
    }

    private final SecAggPlusParameters p;
    private final SecureRandom random;
    private final byte[] session = new byte[SecAggMessages.SESSION_ID_BYTES];
    private final List<Set<Integer>> graph;
    private Stage stage = Stage.NOT_STARTED;

    private final Map<Integer, byte[][]> keys = new TreeMap<>();
    private final Set<Integer> advertisedKeys = new HashSet<>();
    private Set<Integer> round1 = Set.of();
    private final Map<Integer, Map<Integer, byte[]>> inbox = new HashMap<>();
    private final Set<Integer> sharers = new TreeSet<>();
    private Set<Integer> round2 = Set.of();
    private final Map<Integer, Set<Integer>> maskPartners = new HashMap<>();
    private long[] acc;
    private final Set<Integer> round3 = new TreeSet<>();
    private final Map<Integer, List<Integer>[]> requests = new HashMap<>();
    private final Set<Integer> responded = new TreeSet<>();
    private final Map<Integer, Map<Integer, byte[]>> seedShares = new TreeMap<>();
    private final Map<Integer, Map<Integer, byte[]>> keyShares = new TreeMap<>();
    private long[] sum;

    /** A session over {@code parameters.clients()} clients, numbered 1 to n, with a fresh session id. */
    public SecAggPlusServer(SecAggPlusParameters parameters) {
        this(parameters, new SecureRandom());
    }

    SecAggPlusServer(SecAggPlusParameters parameters, SecureRandom random) {
        this.p = parameters;
        this.random = random;
        random.nextBytes(session);
        this.graph = Harary.random(p.clients(), p.neighbours(), random);
    }

    public SecAggPlusParameters parameters() {
        return p;
    }

    public Stage stage() {
        return stage;
    }

    /** The session id every message of this session carries. */
    public byte[] sessionId() {
        return session.clone();
    }

    /** The neighbours of client {@code id} in this session's graph (before any dropout). */
    public Set<Integer> neighboursOf(int id) {
        checkId(id);
        return Collections.unmodifiableSet(graph.get(id));
    }

    /** Setup messages, by client id, for every client; the session then collects advertised keys. */
    public Map<Integer, byte[]> start() {
        requireStage(Stage.NOT_STARTED, "start");
        Map<Integer, byte[]> out = new TreeMap<>();
        for (int id = 1; id <= p.clients(); id++) {
            out.put(id, SecAggMessages.setup(session, id, p));
        }
        stage = Stage.ADVERTISE_KEYS;
        return out;
    }

    /**
     * Takes one client message for the current stage.
     *
     * @throws SecAggException if the message is malformed, from another session, for another stage,
     *     misaddressed, from a client not (or no longer) in the round, a duplicate, or breaks a rule of
     *     its stage; the session's state is unchanged
     */
    public void receive(byte[] message) {
        Reader r = new Reader(message);
        Header h = r.header();
        if (!Arrays.equals(h.sessionId(), session)) {
            throw new SecAggException(
                    Kind.WRONG_SESSION,
                    h.type() + " from client " + h.sender()
                            + " belongs to another session (a replay from another round?)");
        }
        if (h.receiver() != SecAggMessages.SERVER) {
            throw new SecAggException(
                    Kind.MISADDRESSED,
                    h.type() + " from client " + h.sender() + " is addressed to client " + h.receiver()
                            + ", not the server");
        }
        if (h.sender() < 1 || h.sender() > p.clients()) {
            throw new SecAggException(
                    Kind.UNKNOWN_CLIENT,
                    h.type() + " from client " + h.sender() + ", not a client of this session (1 to " + p.clients()
                            + ")");
        }
        Type expected = expectedType();
        if (h.type() != expected) {
            if (stage == Stage.DONE && h.type() == Type.UNMASK_RESPONSE) {
                throw new SecAggException(
                        Kind.SECOND_RESPONSE,
                        "client " + h.sender() + " sent an unmasking response after the session finished");
            }
            throw new SecAggException(
                    Kind.WRONG_STAGE,
                    h.type() + " from client " + h.sender() + " while the session is at stage " + stage
                            + (expected == null ? "" : ", expecting " + expected));
        }
        int u = h.sender();
        switch (stage) {
            case ADVERTISE_KEYS -> receiveKeys(u, r);
            case SHARE_KEYS -> receiveShares(u, r);
            case MASKED_INPUT -> receiveMaskedInput(u, r);
            case UNMASKING -> receiveUnmask(u, r);
            default -> throw new IllegalStateException("stage " + stage);
        }
    }

    private Type expectedType() {
        return switch (stage) {
            case ADVERTISE_KEYS -> Type.ADVERTISE_KEYS;
            case SHARE_KEYS -> Type.SHARE_KEYS;
            case MASKED_INPUT -> Type.MASKED_INPUT;
            case UNMASKING -> Type.UNMASK_RESPONSE;
            default -> null;
        };
    }

    private void receiveKeys(int u, Reader r) {
        if (advertisedKeys.contains(u)) {
            throw new SecAggException(Kind.DUPLICATE, "client " + u + " advertised keys twice");
        }
        byte[][] k = SecAggMessages.readAdvertiseKeys(r);
        for (int i = 0; i < 2; i++) {
            try {
                X25519.checkPublicKey(k[i]);
            } catch (X25519.InvalidPublicKeyException e) {
                throw new SecAggException(
                        Kind.BAD_KEY,
                        "client " + u + "'s " + (i == 0 ? "encryption" : "mask") + " key: " + e.getMessage());
            }
        }
        if (Arrays.equals(k[0], k[1])) {
            throw new SecAggException(Kind.DUPLICATE_KEY, "client " + u + " advertised one key for both purposes");
        }
        for (Map.Entry<Integer, byte[][]> e : keys.entrySet()) {
            for (byte[] theirs : e.getValue()) {
                if (Arrays.equals(theirs, k[0]) || Arrays.equals(theirs, k[1])) {
                    throw new SecAggException(
                            Kind.DUPLICATE_KEY,
                            "client " + u + " advertised a public key client " + e.getKey() + " already advertised");
                }
            }
        }
        advertisedKeys.add(u);
        keys.put(u, k);
    }

    private void receiveShares(int u, Reader r) {
        if (!round1.contains(u)) {
            throw new SecAggException(
                    Kind.UNKNOWN_CLIENT,
                    "client " + u + " sent shares but is not in the round"
                            + " (it advertised no keys or had too few neighbours left)");
        }
        if (sharers.contains(u)) {
            throw new SecAggException(Kind.DUPLICATE, "client " + u + " sent its shares twice");
        }
        List<Addressed> entries = SecAggMessages.readAddressed(r, p.clients());
        Set<Integer> targets = live(graph.get(u), round1);
        Set<Integer> seen = new HashSet<>();
        for (Addressed a : entries) {
            if (!targets.contains(a.peer())) {
                throw new SecAggException(
                        Kind.NOT_A_NEIGHBOUR,
                        "client " + u + " addressed shares to client " + a.peer()
                                + ", which is not one of the neighbours it was sent " + targets);
            }
            if (!seen.add(a.peer())) {
                throw new SecAggException(
                        Kind.DUPLICATE, "client " + u + " addressed shares to client " + a.peer() + " twice");
            }
        }
        if (seen.size() != targets.size()) {
            throw new SecAggException(
                    Kind.WRONG_LENGTH,
                    "client " + u + " sent shares for " + seen.size() + " neighbours, it was sent " + targets.size()
                            + " " + targets);
        }
        for (Addressed a : entries) {
            inbox.computeIfAbsent(a.peer(), k -> new HashMap<>()).put(u, a.ciphertext());
        }
        sharers.add(u);
    }

    private void receiveMaskedInput(int u, Reader r) {
        if (!round2.contains(u)) {
            throw new SecAggException(
                    Kind.UNKNOWN_CLIENT,
                    "client " + u
                            + " sent a masked input but is not in the round (it shared no keys, or too few of its"
                            + " share holders are left)");
        }
        if (round3.contains(u)) {
            throw new SecAggException(Kind.DUPLICATE, "client " + u + " sent a second masked input");
        }
        SecAggMessages.addMaskedInput(r, acc, p.bitwidth());
        round3.add(u);
    }

    private void receiveUnmask(int u, Reader r) {
        List<Integer>[] request = requests.get(u);
        if (request == null) {
            throw new SecAggException(
                    Kind.UNKNOWN_CLIENT,
                    "client " + u
                            + " sent an unmasking response but was asked for none (its masked input was not counted)");
        }
        if (responded.contains(u)) {
            throw new SecAggException(Kind.SECOND_RESPONSE, "client " + u + " sent a second unmasking response");
        }
        List<UnmaskShare> shares = SecAggMessages.readUnmaskResponse(r, p.clients());
        Set<Integer> dropped = new HashSet<>(request[0]);
        Set<Integer> survivors = new HashSet<>(request[1]);
        Set<Integer> seen = new HashSet<>();
        for (UnmaskShare s : shares) {
            if (!dropped.contains(s.owner()) && !survivors.contains(s.owner())) {
                throw new SecAggException(
                        Kind.NOT_A_NEIGHBOUR,
                        "client " + u + " sent a share of client " + s.owner() + ", which it was not asked for");
            }
            if (!seen.add(s.owner())) {
                throw new SecAggException(Kind.DUPLICATE, "client " + u + " sent two shares of client " + s.owner());
            }
            if (s.seedShare() != survivors.contains(s.owner())) {
                throw new SecAggException(
                        Kind.CONFLICTING_REQUEST,
                        "client " + u + " sent a "
                                + (s.seedShare() ? "self-mask seed" : "mask key") + " share of client " + s.owner()
                                + " but was asked for its " + (s.seedShare() ? "mask key" : "self-mask seed"));
            }
        }
        if (seen.size() != dropped.size() + survivors.size()) {
            throw new SecAggException(
                    Kind.WRONG_LENGTH,
                    "client " + u + " sent " + seen.size() + " shares, it was asked for "
                            + (dropped.size() + survivors.size()));
        }
        for (UnmaskShare s : shares) {
            (s.seedShare() ? seedShares : keyShares)
                    .computeIfAbsent(s.owner(), k -> new TreeMap<>())
                    .put(u, s.share());
        }
        responded.add(u);
    }

    /**
     * Closes the current stage and returns the next stage's messages by client id (none after the
     * unmasking stage, which computes the {@link #sum()}).
     *
     * @throws SecAggException ({@link Kind#BELOW_THRESHOLD}) if too few clients or shares are left
     */
    public Map<Integer, byte[]> advance() {
        try {
            return switch (stage) {
                case ADVERTISE_KEYS -> closeAdvertiseKeys();
                case SHARE_KEYS -> closeShareKeys();
                case MASKED_INPUT -> closeMaskedInput();
                case UNMASKING -> closeUnmasking();
                default -> throw new IllegalStateException("advance() at stage " + stage);
            };
        } catch (SecAggException e) {
            stage = Stage.FAILED;
            throw e;
        }
    }

    private Map<Integer, byte[]> closeAdvertiseKeys() {
        round1 = prune(keys.keySet());
        if (round1.isEmpty()) {
            throw belowThreshold("advertise keys", keys.size());
        }
        Map<Integer, byte[]> out = new TreeMap<>();
        for (int u : round1) {
            List<NeighbourKeys> ns = new ArrayList<>();
            for (int v : live(graph.get(u), round1)) {
                byte[][] k = keys.get(v);
                ns.add(new NeighbourKeys(v, k[0], k[1]));
            }
            out.put(u, SecAggMessages.neighbourKeys(session, u, ns));
        }
        stage = Stage.SHARE_KEYS;
        return out;
    }

    private Map<Integer, byte[]> closeShareKeys() {
        round2 = prune(sharers);
        if (round2.isEmpty()) {
            throw belowThreshold("share keys", sharers.size());
        }
        Map<Integer, byte[]> out = new TreeMap<>();
        for (int v : round2) {
            Set<Integer> partners = live(graph.get(v), round2);
            List<Addressed> forwarded = new ArrayList<>();
            Map<Integer, byte[]> mine = inbox.getOrDefault(v, Map.of());
            for (int u : partners) {
                forwarded.add(new Addressed(u, mine.get(u)));
            }
            maskPartners.put(v, partners);
            out.put(v, SecAggMessages.addressed(Type.FORWARDED_SHARES, session, SecAggMessages.SERVER, v, forwarded));
        }
        inbox.clear();
        acc = new long[p.vectorLength()];
        stage = Stage.MASKED_INPUT;
        return out;
    }

    private Map<Integer, byte[]> closeMaskedInput() {
        if (round3.isEmpty()) {
            throw new SecAggException(Kind.BELOW_THRESHOLD, "no client sent its masked input: nothing to sum");
        }
        for (int u : round2) {
            int alive = live(maskPartners.get(u), round3).size();
            if (round3.contains(u) && alive + 1 < p.reconstructionThreshold()) {
                throw new SecAggException(
                        Kind.BELOW_THRESHOLD,
                        "client " + u + " sent its masked input but only "
                                + (alive + 1)
                                + " holders of its self-mask seed shares are left, reconstruction_threshold is "
                                + p.reconstructionThreshold() + "; the round is aborted");
            }
            if (!round3.contains(u) && alive > 0 && alive < p.reconstructionThreshold()) {
                throw new SecAggException(
                        Kind.BELOW_THRESHOLD,
                        "client " + u + " dropped before sending its masked"
                                + " input and only " + alive + " holders of its mask key shares are left,"
                                + " reconstruction_threshold is " + p.reconstructionThreshold()
                                + "; the round is aborted");
            }
        }
        Map<Integer, byte[]> out = new TreeMap<>();
        for (int v : round3) {
            List<Integer> dropped = new ArrayList<>();
            List<Integer> survivors = new ArrayList<>();
            survivors.add(v);
            for (int u : maskPartners.get(v)) {
                (round3.contains(u) ? survivors : dropped).add(u);
            }
            @SuppressWarnings("unchecked")
            List<Integer>[] request = new List[] {dropped, survivors};
            requests.put(v, request);
            out.put(v, SecAggMessages.unmaskRequest(session, v, dropped, survivors));
        }
        stage = Stage.UNMASKING;
        return out;
    }

    private Map<Integer, byte[]> closeUnmasking() {
        int t = p.reconstructionThreshold();
        for (int u : round3) {
            byte[] seed = rebuild(u, seedShares.get(u), "self-mask seed", t);
            MaskPrg.apply(seed, acc, true, p.bitwidth());
        }
        for (int d : round2) {
            if (round3.contains(d)) {
                continue;
            }
            Set<Integer> survivors = live(maskPartners.get(d), round3);
            if (survivors.isEmpty()) {
                continue;
            }
            byte[] maskKey = rebuild(d, keyShares.get(d), "mask key", t);
            if (!Arrays.equals(X25519.publicKeyOf(maskKey), keys.get(d)[1])) {
                throw new SecAggException(
                        Kind.INCONSISTENT_SHARES,
                        "the shares of client " + d
                                + "'s mask key rebuild a key that does not match the public key it advertised");
            }
            for (int v : survivors) {
                byte[] seed = Masks.pairwiseSeed(X25519.agree(maskKey, keys.get(v)[1]), session, d, v);
                // v applied the mask with its own sign; removing it takes the opposite sign
                MaskPrg.apply(seed, acc, !Masks.subtracts(v, d), p.bitwidth());
            }
        }
        sum = acc;
        acc = null;
        stage = Stage.DONE;
        return Map.of();
    }

    private byte[] rebuild(int owner, Map<Integer, byte[]> shares, String what, int t) {
        int have = shares == null ? 0 : shares.size();
        if (have < t) {
            throw new SecAggException(
                    Kind.BELOW_THRESHOLD,
                    "only " + have + " shares of client " + owner + "'s " + what
                            + " came back, reconstruction_threshold is " + t + "; the round is aborted");
        }
        int[] xs = new int[have];
        byte[][] ys = new byte[have][];
        int i = 0;
        for (Map.Entry<Integer, byte[]> e : shares.entrySet()) {
            xs[i] = e.getKey();
            ys[i++] = e.getValue();
        }
        try {
            return Shamir.combine(xs, ys, t);
        } catch (IllegalArgumentException e) {
            throw new SecAggException(
                    Kind.INCONSISTENT_SHARES, "client " + owner + "'s " + what + ": " + e.getMessage());
        }
    }

    /** The masked-input sum, once the unmasking stage closed. */
    public long[] sum() {
        if (stage != Stage.DONE) {
            throw new IllegalStateException("the sum is known after the unmasking stage; the session is at " + stage);
        }
        return sum.clone();
    }

    /** The clients whose inputs the sum holds (those whose masked input arrived). */
    public Set<Integer> contributors() {
        return Collections.unmodifiableSet(round3);
    }

    /** Clients still in the round at the current stage. */
    Set<Integer> inRound() {
        return switch (stage) {
            case SHARE_KEYS -> round1;
            case MASKED_INPUT -> round2;
            case UNMASKING, DONE -> round3;
            default -> keys.keySet();
        };
    }

    /**
     * The clients of {@code alive} each of which has at least {@code reconstruction_threshold − 1}
     * neighbours in the result: a client with fewer could not have its secrets rebuilt, so it leaves the
     * round, which can leave others short in turn (hence the fixpoint).
     */
    private Set<Integer> prune(Set<Integer> alive) {
        TreeSet<Integer> s = new TreeSet<>(alive);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (var it = s.iterator(); it.hasNext(); ) {
                int u = it.next();
                if (live(graph.get(u), s).size() + 1 < p.reconstructionThreshold()) {
                    it.remove();
                    changed = true;
                }
            }
        }
        return s;
    }

    private static Set<Integer> live(Set<Integer> ids, Set<Integer> alive) {
        Set<Integer> out = new TreeSet<>();
        for (int v : ids) {
            if (alive.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    private SecAggException belowThreshold(String stageName, int responded) {
        return new SecAggException(
                Kind.BELOW_THRESHOLD,
                "after stage " + stageName + " no client has "
                        + p.reconstructionThreshold() + " share holders left (" + responded + " of " + p.clients()
                        + " clients responded; reconstruction_threshold is " + p.reconstructionThreshold()
                        + "); the round is aborted");
    }

    private void requireStage(Stage s, String what) {
        if (stage != s) {
            throw new IllegalStateException(what + " needs stage " + s + ", the session is at " + stage);
        }
    }

    private void checkId(int id) {
        if (id < 1 || id > p.clients()) {
            throw new IllegalArgumentException("client id " + id + " is outside 1 to " + p.clients());
        }
    }
}
