package dev.fl4j.deploy.server;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Byte arrays given back after use and handed out again for a payload of the same length: the server assembles
 * every result of a round into a model-sized array (6.6 MB for the FedAvg CNN), and one allocated afresh each time
 * costs more than writing over one that exists (on a virtual machine, touching new pages) and, being a humongous
 * object for G1, starts a concurrent collection cycle. Holds at most {@code capacity} arrays, the most recently
 * given back. An array handed out is not cleared: its taker overwrites all of it before reading. Thread-safe.
 */
final class ArrayPool {

    private final int capacity;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();

    ArrayPool(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("an array pool holds at least 1 array, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** An array of exactly {@code length} bytes: one given back, or a new one. */
    synchronized byte[] take(int length) {
        for (Iterator<byte[]> it = free.descendingIterator(); it.hasNext(); ) {
            byte[] a = it.next();
            if (a.length == length) {
                it.remove();
                return a;
            }
        }
        return new byte[length];
    }

    /** Gives {@code array} back; its giver no longer reads or writes it. */
    synchronized void give(byte[] array) {
        if (free.size() == capacity) {
            free.removeFirst();
        }
        free.addLast(array);
    }

    synchronized int held() {
        return free.size();
    }
}
