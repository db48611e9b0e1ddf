package dev.fl4j.simulation.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The metrics one round produced, kept in a checkpoint so a resumed run can redraw its history. */
public record RoundRecord(int round, Map<String, Double> metrics) {

    public RoundRecord {
        if (round < 0) {
            throw new IllegalArgumentException("round must not be negative, got " + round);
        }
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
