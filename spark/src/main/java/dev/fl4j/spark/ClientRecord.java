package dev.fl4j.spark;

import dev.fl4j.core.Value;
import dev.fl4j.core.io.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Optional;

/**
 * One client's state on the cluster: every key's state (encoded, {@link ValueCodec}) with the
 * invocation that last wrote it, and the pass of that invocation that wrote the record (a later
 * pass's record of the same client supersedes an earlier one's). Immutable.
 *
 * @param clientId the client
 * @param keys the state keys, sorted
 * @param writtenIn per key, the invocation (transaction number) that wrote it; 0 for restored state
 * @param states per key, the encoded state
 * @param pass the pass of its invocation that made this record (0 for committed or restored records)
 */
record ClientRecord(String clientId, String[] keys, long[] writtenIn, byte[][] states, int pass)
        implements Serializable {

    /** The encoded state under {@code key}, if any. */
    Optional<byte[]> state(String key) {
        int i = Arrays.binarySearch(keys, key);
        return i < 0 ? Optional.empty() : Optional.of(states[i]);
    }

    /** The decoded state under {@code key}, if any. */
    Optional<Value> value(String key) {
        return state(key).map(ValueCodec::decode);
    }

    /** The invocation that wrote {@code key} (-1 if this record has no such key). */
    long writtenIn(String key) {
        int i = Arrays.binarySearch(keys, key);
        return i < 0 ? -1 : writtenIn[i];
    }

    /** This record without {@code key}; null if nothing would be left. */
    ClientRecord without(String key) {
        int i = Arrays.binarySearch(keys, key);
        if (i < 0) {
            return this;
        }
        if (keys.length == 1) {
            return null;
        }
        String[] k = new String[keys.length - 1];
        long[] w = new long[keys.length - 1];
        byte[][] s = new byte[keys.length - 1][];
        for (int j = 0, o = 0; j < keys.length; j++) {
            if (j != i) {
                k[o] = keys[j];
                w[o] = writtenIn[j];
                s[o] = states[j];
                o++;
            }
        }
        return new ClientRecord(clientId, k, w, s, pass);
    }

    /** The same states as a committed record (pass 0). */
    ClientRecord committed() {
        return pass == 0 ? this : new ClientRecord(clientId, keys, writtenIn, states, 0);
    }

    private static final int MAGIC = 0x666c3473; // "fl4s"

    /** Writes records as one attempt file: magic, count, then each record. */
    static void write(DataOutputStream out, Iterable<ClientRecord> records, int count) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(count);
        for (ClientRecord r : records) {
            out.writeUTF(r.clientId);
            out.writeInt(r.pass);
            out.writeInt(r.keys.length);
            for (int i = 0; i < r.keys.length; i++) {
                out.writeUTF(r.keys[i]);
                out.writeLong(r.writtenIn[i]);
                out.writeInt(r.states[i].length);
                out.write(r.states[i]);
            }
        }
    }

    /** Reads what {@link #write} wrote; {@code where} names the file in errors. */
    static ClientRecord[] read(DataInputStream in, String where) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException(where + " is not an fl4j client state file");
        }
        int n = in.readInt();
        if (n < 0) {
            throw new IOException(where + ": negative record count " + n);
        }
        ClientRecord[] out = new ClientRecord[n];
        for (int r = 0; r < n; r++) {
            String id = in.readUTF();
            int pass = in.readInt();
            int k = in.readInt();
            if (k < 0 || k > 1 << 16) {
                throw new IOException(where + ": client " + id + " has " + k + " state keys");
            }
            String[] keys = new String[k];
            long[] written = new long[k];
            byte[][] states = new byte[k][];
            for (int i = 0; i < k; i++) {
                keys[i] = in.readUTF();
                written[i] = in.readLong();
                int len = in.readInt();
                if (len < 0) {
                    throw new IOException(where + ": client " + id + " state '" + keys[i] + "' has length " + len);
                }
                states[i] = in.readNBytes(len);
                if (states[i].length != len) {
                    throw new IOException(where + " is truncated in client " + id);
                }
            }
            out[r] = new ClientRecord(id, keys, written, states, pass);
        }
        return out;
    }
}
