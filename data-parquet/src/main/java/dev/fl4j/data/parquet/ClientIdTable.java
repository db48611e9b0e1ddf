package dev.fl4j.data.parquet;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * Client ids in order of addition, held compactly: their UTF-8 bytes in one array, an offset per id
 * and an open-addressing table of positions, about 14 bytes plus the id's length per client
 * (a million 8-character ids in about 22 MB, where a {@code List<String>} and a
 * {@code HashMap<String, Integer>} take about 100 MB). Not thread-safe while ids are added; read-only
 * afterwards.
 */
final class ClientIdTable {

    private byte[] bytes = new byte[1 << 12];
    private int used;
    private int[] start = new int[257];
    private int size;
    private int[] slots = new int[512]; // position + 1; 0 is empty
    private final List<String> view = new View();

    /** The number of ids. */
    int size() {
        return size;
    }

    /**
     * Adds {@code id} at position {@link #size()}.
     *
     * @return the new position, or {@code -1 - p} if {@code id} is already at position p (nothing added)
     */
    int add(String id) {
        byte[] b = id.getBytes(StandardCharsets.UTF_8);
        int hash = hash(b, 0, b.length);
        int mask = slots.length - 1;
        for (int s = hash & mask; ; s = (s + 1) & mask) {
            int p = slots[s] - 1;
            if (p < 0) {
                break;
            }
            if (equalAt(p, b)) {
                return -1 - p;
            }
        }
        if (used + b.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(used + b.length, (int)
                    Math.min(Integer.MAX_VALUE - 8L, 2L * bytes.length)));
        }
        System.arraycopy(b, 0, bytes, used, b.length);
        if (size + 2 > start.length) {
            start = Arrays.copyOf(start, 2 * start.length);
        }
        start[size] = used;
        used += b.length;
        start[size + 1] = used;
        int position = size++;
        if (2 * size > slots.length) {
            rehash();
        } else {
            insert(slots, hash, position);
        }
        return position;
    }

    /** The position of {@code id}, or -1. */
    int indexOf(String id) {
        byte[] b = id.getBytes(StandardCharsets.UTF_8);
        int mask = slots.length - 1;
        for (int s = hash(b, 0, b.length) & mask; ; s = (s + 1) & mask) {
            int p = slots[s] - 1;
            if (p < 0) {
                return -1;
            }
            if (equalAt(p, b)) {
                return p;
            }
        }
    }

    /** The id at {@code position} (a new string each call). */
    String get(int position) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException("client position " + position + " of " + size);
        }
        return new String(bytes, start[position], start[position + 1] - start[position], StandardCharsets.UTF_8);
    }

    /** The ids as a read-only list that decodes an id when it is read. */
    List<String> asList() {
        return view;
    }

    /** Frees the spare capacity once every id is added. */
    void trim() {
        bytes = Arrays.copyOf(bytes, used);
        start = Arrays.copyOf(start, size + 1);
    }

    private boolean equalAt(int p, byte[] b) {
        return Arrays.equals(bytes, start[p], start[p + 1], b, 0, b.length);
    }

    private void rehash() {
        int[] bigger = new int[slots.length * 2];
        for (int p = 0; p < size; p++) {
            insert(bigger, hash(bytes, start[p], start[p + 1]), p);
        }
        slots = bigger;
    }

    private static void insert(int[] table, int hash, int position) {
        int mask = table.length - 1;
        int s = hash & mask;
        while (table[s] != 0) {
            s = (s + 1) & mask;
        }
        table[s] = position + 1;
    }

    private static int hash(byte[] b, int from, int to) {
        int h = 1;
        for (int i = from; i < to; i++) {
            h = 31 * h + b[i];
        }
        return h ^ (h >>> 16) * 0x45d9f3b;
    }

    private final class View extends AbstractList<String> implements RandomAccess {
        @Override
        public String get(int index) {
            return ClientIdTable.this.get(index);
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int indexOf(Object o) {
            return o instanceof String s ? ClientIdTable.this.indexOf(s) : -1;
        }

        @Override
        public boolean contains(Object o) {
            return indexOf(o) >= 0;
        }
    }
}
