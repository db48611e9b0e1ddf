package dev.fl4j.secagg;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The SecAgg+ wire format, version 1. Every message starts with a 28-byte header: the magic bytes
 * {@code 'S' 'A'}, the version byte {@code 1}, the {@link Type} byte, the 16-byte session id, the
 * sender and the receiver (big-endian int32 client ids; the server is 0). Bodies, by type (all integers
 * big-endian int32, {@code key} = one length byte, which must be 32, then an X25519 public key):
 *
 * <pre>
 * SETUP            server→client  clients, num_shares, reconstruction_threshold, bitwidth, vector_length
 * ADVERTISE_KEYS   client→server  key (share encryption), key (pairwise masks)
 * NEIGHBOUR_KEYS   server→client  count, count × (client, key, key)
 * SHARE_KEYS       client→server  count, count × (receiver, ciphertext[102])
 * FORWARDED_SHARES server→client  count, count × (sender, ciphertext[102])
 * MASKED_INPUT     client→server  length, ⌈length·bitwidth/8⌉ bytes: the values packed little-endian,
 *                                 bitwidth bits each, the padding bits of the last byte zero
 * UNMASK_REQUEST   server→client  count, count × dropped client, count, count × surviving client
 * UNMASK_RESPONSE  client→server  count, count × (owner, kind byte: 1 mask-key share, 2 self-mask seed
 *                                 share, share[33])
 * </pre>
 *
 * <p>Parsing is defensive: every count is checked against the bytes left and against the session's
 * bounds before anything is allocated, nothing may follow the body, and a violation is a
 * {@link SecAggException} of kind {@link SecAggException.Kind#MALFORMED} naming the offset. Whether a
 * well-formed message fits the session (stage, addressing, neighbours, lengths) the state machines check.
 */
public final class SecAggMessages {

    static final int VERSION = 1;
    static final int HEADER_BYTES = 28;
    static final int SESSION_ID_BYTES = 16;
    static final int SERVER = 0;

    private SecAggMessages() {}

    /** The message types, in protocol order. */
    public enum Type {
        SETUP(1),
        ADVERTISE_KEYS(2),
        NEIGHBOUR_KEYS(3),
        SHARE_KEYS(4),
        FORWARDED_SHARES(5),
        MASKED_INPUT(6),
        UNMASK_REQUEST(7),
        UNMASK_RESPONSE(8);

        final int code;

        Type(int code) {
            this.code = code;
        }

        static Type of(int code, int offset) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw malformed(offset, "unknown message type " + code);
        }
    }

    /** A message's header. */
    record Header(Type type, byte[] sessionId, int sender, int receiver) {}

    /**
     * The type of a message, from its header only: for a transport that routes messages by type.
     *
     * @throws SecAggException ({@link SecAggException.Kind#MALFORMED}) if the header is not this format's
     */
    public static Type typeOf(byte[] message) {
        return new Reader(message).header().type();
    }

    /** The receiver a message names: 0 for the server, else a client id. */
    public static int receiverOf(byte[] message) {
        return new Reader(message).header().receiver();
    }

    /** The sender a message names: 0 for the server, else a client id. */
    public static int senderOf(byte[] message) {
        return new Reader(message).header().sender();
    }

    static SecAggException malformed(int offset, String what) {
        return new SecAggException(SecAggException.Kind.MALFORMED, "at byte " + offset + ": " + what);
    }

    // ---- bodies ----

    /** One neighbour's public keys. */
    record NeighbourKeys(int client, byte[] encryptionKey, byte[] maskKey) {}

    /** A ciphertext to or from a peer. */
    record Addressed(int peer, byte[] ciphertext) {}

    /** One share in an unmasking response. */
    record UnmaskShare(int owner, boolean seedShare, byte[] share) {}

    static byte[] setup(byte[] session, int receiver, SecAggPlusParameters p) {
        Writer w = new Writer(Type.SETUP, session, SERVER, receiver);
        w.putInt(p.clients()).putInt(p.numShares()).putInt(p.reconstructionThreshold());
        w.putInt(p.bitwidth()).putInt(p.vectorLength());
        return w.bytes();
    }

    static byte[] advertiseKeys(byte[] session, int sender, byte[] encryptionKey, byte[] maskKey) {
        Writer w = new Writer(Type.ADVERTISE_KEYS, session, sender, SERVER);
        w.putKey(encryptionKey).putKey(maskKey);
        return w.bytes();
    }

    static byte[] neighbourKeys(byte[] session, int receiver, List<NeighbourKeys> neighbours) {
        Writer w = new Writer(Type.NEIGHBOUR_KEYS, session, SERVER, receiver);
        w.putInt(neighbours.size());
        for (NeighbourKeys n : neighbours) {
            w.putInt(n.client()).putKey(n.encryptionKey()).putKey(n.maskKey());
        }
        return w.bytes();
    }

    static byte[] addressed(Type type, byte[] session, int sender, int receiver, List<Addressed> entries) {
        Writer w = new Writer(type, session, sender, receiver);
        w.putInt(entries.size());
        for (Addressed a : entries) {
            w.putInt(a.peer()).put(a.ciphertext());
        }
        return w.bytes();
    }

    static byte[] maskedInput(byte[] session, int sender, long[] values, int bitwidth) {
        Writer w = new Writer(Type.MASKED_INPUT, session, sender, SERVER);
        w.putInt(values.length);
        w.put(BitPacking.pack(values, bitwidth));
        return w.bytes();
    }

    static byte[] unmaskRequest(byte[] session, int receiver, List<Integer> dropped, List<Integer> survivors) {
        Writer w = new Writer(Type.UNMASK_REQUEST, session, SERVER, receiver);
        w.putInt(dropped.size());
        dropped.forEach(w::putInt);
        w.putInt(survivors.size());
        survivors.forEach(w::putInt);
        return w.bytes();
    }

    static byte[] unmaskResponse(byte[] session, int sender, List<UnmaskShare> shares) {
        Writer w = new Writer(Type.UNMASK_RESPONSE, session, sender, SERVER);
        w.putInt(shares.size());
        for (UnmaskShare s : shares) {
            w.putInt(s.owner()).putByte(s.seedShare() ? 2 : 1).put(s.share());
        }
        return w.bytes();
    }

    // ---- reading ----

    /** A cursor over one received message; every read is bounds-checked. */
    static final class Reader {
        private final byte[] bytes;
        private int offset;

        Reader(byte[] bytes) {
            if (bytes == null) {
                throw malformed(0, "no message (null)");
            }
            this.bytes = bytes;
        }

        Header header() {
            if (bytes.length < HEADER_BYTES) {
                throw malformed(
                        bytes.length,
                        "a message has a " + HEADER_BYTES + "-byte header, got " + bytes.length + " bytes");
            }
            if (bytes[0] != 'S' || bytes[1] != 'A') {
                throw malformed(0, "not a SecAgg+ message (magic bytes are not 'SA')");
            }
            if (bytes[2] != VERSION) {
                throw malformed(2, "format version " + (bytes[2] & 0xFF) + ", this reader knows version " + VERSION);
            }
            offset = 3;
            Type type = Type.of(bytes[3] & 0xFF, 3);
            offset = 4;
            byte[] session = take(SESSION_ID_BYTES);
            int sender = getInt();
            int receiver = getInt();
            return new Header(type, session, sender, receiver);
        }

        int offset() {
            return offset;
        }

        int remaining() {
            return bytes.length - offset;
        }

        int getInt() {
            need(4, "an int32");
            int v = ByteBuffer.wrap(bytes, offset, 4).getInt();
            offset += 4;
            return v;
        }

        int getByte() {
            need(1, "a byte");
            return bytes[offset++] & 0xFF;
        }

        byte[] take(int n) {
            need(n, n + " bytes");
            byte[] out = new byte[n];
            System.arraycopy(bytes, offset, out, 0, n);
            offset += n;
            return out;
        }

        /** A key: its length byte, which must be 32, then the key. */
        byte[] key(String what) {
            int at = offset;
            int len = getByte();
            if (len != X25519.KEY_BYTES) {
                throw new SecAggException(
                        SecAggException.Kind.BAD_KEY,
                        what + " at byte " + at + " is " + len + " bytes long; an X25519 public key has 32");
            }
            return take(len);
        }

        /** A count of entries of at least {@code entryBytes} each, at most {@code max}. */
        int count(int max, int entryBytes, String what) {
            int at = offset;
            int n = getInt();
            if (n < 0 || n > max) {
                throw malformed(at, what + " count " + n + " is outside [0, " + max + "]");
            }
            if ((long) n * entryBytes > remaining()) {
                throw malformed(
                        at,
                        what + " count " + n + " needs at least " + (long) n * entryBytes + " bytes but " + remaining()
                                + " remain");
            }
            return n;
        }

        byte[] bytesRef() {
            return bytes;
        }

        void skipAll() {
            offset = bytes.length;
        }

        void end() {
            if (offset != bytes.length) {
                throw malformed(offset, (bytes.length - offset) + " bytes follow the end of the message");
            }
        }

        private void need(int n, String what) {
            if (n < 0 || n > bytes.length - offset) {
                throw malformed(offset, "truncated: " + what + " needed, " + (bytes.length - offset) + " bytes left");
            }
        }
    }

    /** A parsed body of each kind, read after the header. */
    static SecAggPlusParameters readSetup(Reader r) {
        int clients = r.getInt();
        int numShares = r.getInt();
        int threshold = r.getInt();
        int bitwidth = r.getInt();
        int length = r.getInt();
        r.end();
        try {
            return new SecAggPlusParameters(clients, numShares, threshold, bitwidth, length);
        } catch (IllegalArgumentException e) {
            throw new SecAggException(SecAggException.Kind.INVALID_PARAMETERS, "the server's setup: " + e.getMessage());
        }
    }

    static byte[][] readAdvertiseKeys(Reader r) {
        byte[] enc = r.key("the encryption key");
        byte[] mask = r.key("the mask key");
        r.end();
        return new byte[][] {enc, mask};
    }

    static List<NeighbourKeys> readNeighbourKeys(Reader r, int maxClients) {
        int n = r.count(maxClients, 4 + 2 * 33, "neighbour");
        List<NeighbourKeys> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = r.getInt();
            out.add(new NeighbourKeys(
                    id, r.key("client " + id + "'s encryption key"), r.key("client " + id + "'s mask key")));
        }
        r.end();
        return out;
    }

    static List<Addressed> readAddressed(Reader r, int maxClients) {
        int n = r.count(maxClients, 4 + ShareCipher.CIPHERTEXT_BYTES, "share ciphertext");
        List<Addressed> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Addressed(r.getInt(), r.take(ShareCipher.CIPHERTEXT_BYTES)));
        }
        r.end();
        return out;
    }

    /**
     * The values of a masked input, which must have {@code expectedLength} elements of {@code bitwidth}
     * bits (checked before anything is allocated).
     */
    static long[] readMaskedInput(Reader r, int expectedLength, int bitwidth) {
        int start = checkMaskedInput(r, expectedLength, bitwidth);
        long[] out = BitPacking.unpack(r.bytesRef(), start, expectedLength, bitwidth);
        r.skipAll();
        return out;
    }

    /**
     * Adds a masked input of {@code acc.length} elements of {@code bitwidth} bits to {@code acc} modulo
     * {@code 2^bitwidth}; a refused message adds nothing.
     */
    static void addMaskedInput(Reader r, long[] acc, int bitwidth) {
        int start = checkMaskedInput(r, acc.length, bitwidth);
        BitPacking.unpackAdd(r.bytesRef(), start, bitwidth, acc, (1L << bitwidth) - 1);
        r.skipAll();
    }

    private static int checkMaskedInput(Reader r, int expectedLength, int bitwidth) {
        int at = r.offset();
        int length = r.getInt();
        if (length != expectedLength) {
            throw new SecAggException(
                    SecAggException.Kind.WRONG_LENGTH,
                    "masked input declares " + length + " elements (byte " + at + "), the session's vectors have "
                            + expectedLength);
        }
        long packed = BitPacking.packedBytes(length, bitwidth);
        if (packed != r.remaining()) {
            throw new SecAggException(
                    SecAggException.Kind.WRONG_LENGTH,
                    "masked input of " + length + " elements of " + bitwidth + " bits takes " + packed
                            + " bytes, the message has " + r.remaining());
        }
        return r.offset();
    }

    static List<Integer>[] readUnmaskRequest(Reader r, int maxClients) {
        @SuppressWarnings("unchecked")
        List<Integer>[] lists = new List[2];
        for (int k = 0; k < 2; k++) {
            int n = r.count(maxClients, 4, k == 0 ? "dropped client" : "surviving client");
            List<Integer> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(r.getInt());
            }
            lists[k] = ids;
        }
        r.end();
        return lists;
    }

    static List<UnmaskShare> readUnmaskResponse(Reader r, int maxClients) {
        int n = r.count(maxClients, 5 + Shamir.SHARE_BYTES, "unmasking share");
        List<UnmaskShare> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int owner = r.getInt();
            int at = r.offset();
            int kind = r.getByte();
            if (kind != 1 && kind != 2) {
                throw malformed(at, "share kind " + kind + " is neither 1 (mask key) nor 2 (self-mask seed)");
            }
            out.add(new UnmaskShare(owner, kind == 2, r.take(Shamir.SHARE_BYTES)));
        }
        r.end();
        return out;
    }

    /** Builds one message. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer(Type type, byte[] session, int sender, int receiver) {
            out.write('S');
            out.write('A');
            out.write(VERSION);
            out.write(type.code);
            out.writeBytes(session);
            putInt(sender).putInt(receiver);
        }

        Writer putInt(int v) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Writer putByte(int v) {
            out.write(v);
            return this;
        }

        Writer putKey(byte[] key) {
            out.write(key.length);
            out.writeBytes(key);
            return this;
        }

        Writer put(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
