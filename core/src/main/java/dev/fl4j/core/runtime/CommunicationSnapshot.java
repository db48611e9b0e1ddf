package dev.fl4j.core.runtime;

/** Cumulative bits at one moment, or the difference between two moments. */
public record CommunicationSnapshot(long broadcastBits, long aggregatedBits) {

    /** What was added since {@code earlier}. */
    public CommunicationSnapshot minus(CommunicationSnapshot earlier) {
        return new CommunicationSnapshot(
                broadcastBits - earlier.broadcastBits, aggregatedBits - earlier.aggregatedBits);
    }

    @Override
    public String toString() {
        return "broadcasted_bits=" + BitFormat.format(broadcastBits) + ", aggregated_bits="
                + BitFormat.format(aggregatedBits);
    }
}
