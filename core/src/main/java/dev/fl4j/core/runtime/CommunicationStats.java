package dev.fl4j.core.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A runtime's communication ledger: every intrinsic call that moves bits adds a
 * {@link TrafficRecord}; totals are cumulative since the runtime started. Read a
 * {@link #snapshot()} after each round for the tutorials' cumulative {@code broadcasted_bits} and
 * {@code aggregated_bits}, and subtract snapshots for per-round figures. Thread-safe.
 */
public final class CommunicationStats {

    private final List<TrafficRecord> records = new ArrayList<>();
    private long broadcastBits;
    private long aggregatedBits;

    /** Adds one intrinsic call's traffic. */
    public synchronized void record(TrafficRecord r) {
        if (r.bits() < 0) {
            throw new IllegalArgumentException("negative traffic " + r);
        }
        records.add(r);
        if (r.direction() == Direction.BROADCAST) {
            broadcastBits = Math.addExact(broadcastBits, r.bits());
        } else {
            aggregatedBits = Math.addExact(aggregatedBits, r.bits());
        }
    }

    public synchronized long broadcastBits() {
        return broadcastBits;
    }

    public synchronized long aggregatedBits() {
        return aggregatedBits;
    }

    public synchronized CommunicationSnapshot snapshot() {
        return new CommunicationSnapshot(broadcastBits, aggregatedBits);
    }

    /** Every intrinsic call's traffic, oldest first. */
    public synchronized List<TrafficRecord> records() {
        return List.copyOf(records);
    }

    /** Records after the first {@code from}. */
    public synchronized List<TrafficRecord> recordsSince(int from) {
        return List.copyOf(records.subList(from, records.size()));
    }

    public synchronized int recordCount() {
        return records.size();
    }

    @Override
    public synchronized String toString() {
        return snapshot().toString();
    }
}
