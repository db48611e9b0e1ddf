package dev.fl4j.learning.templates;

import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one round of a {@link LearningProcess} returns: the next state and the round's metrics,
 * grouped as TFF groups them — {@code distributor}, {@code client_work} (with {@code train}),
 * {@code aggregator}, {@code finalizer} — as a structure of server-side values.
 */
public record LearningProcessOutput(Value state, Struct metrics) {

    /**
     * The metrics flattened to {@code "client_work/train/loss" → value}: every scalar leaf, in order.
     * Non-scalar leaves are skipped.
     */
    public Map<String, Double> flatMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        flatten("", metrics, out);
        return out;
    }

    /** Flattens scalar leaves of {@code value} under {@code prefix}. */
    public static void flatten(String prefix, Value value, Map<String, Double> out) {
        if (value instanceof Tensor t) {
            if (t.size() == 1) {
                out.put(prefix, t.getDouble(0));
            }
        } else if (value instanceof Struct s) {
            for (int i = 0; i < s.size(); i++) {
                String name = s.nameAt(i) != null ? s.nameAt(i) : String.valueOf(i);
                flatten(prefix.isEmpty() ? name : prefix + "/" + name, s.get(i), out);
            }
        } else if (value instanceof dev.fl4j.core.ServerValue sv) {
            flatten(prefix, sv.value(), out);
        }
    }
}
