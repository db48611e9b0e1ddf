package dev.fl4j.core.runtime;

/**
 * The bits one intrinsic call moved: for a broadcast, the value's encoded size times the receiving
 * clients; for an aggregation, the sum over clients of what each sent.
 */
public record TrafficRecord(String intrinsic, Direction direction, int clients, long bits) {

    @Override
    public String toString() {
        return intrinsic + " " + direction + " " + clients + " clients " + BitFormat.format(bits);
    }
}
