package dev.fl4j.aggregators;

import dev.fl4j.core.ServerValue;
import dev.fl4j.core.Struct;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.Value;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an aggregation process's measurements as flat {@code name → double} pairs, for metric
 * sinks and round lines.
 *
 * <h2>Names</h2>
 * A measurement's name is its path of field names joined by {@code /}, e.g. {@code zeroing_norm},
 * {@code zeroing/clipped_count}, {@code zeroing/privacy/epsilon}; the names are fixed by the factory
 * composition, so they are stable from round to round and run to run. Placement wrappers
 * ({@code @SERVER}) are transparent; unnamed fields use their index; a tensor with more than one
 * element yields {@code name[i]} per element; booleans are 1 or 0.
 *
 * <h2>Key measurements</h2>
 * {@link #key} keeps the measurements worth a round line ({@link #KEY_NAMES}: bounds, counts of
 * affected clients, ε …), each under its last path segment when that is unique, else its full path.
 */
public final class Measurements {

    /** The last path segments {@link #key} keeps, in no particular order. */
    public static final List<String> KEY_NAMES = List.of(
            "zeroing_norm",
            "zeroed_count",
            "clipping_norm",
            "clipped_count",
            "non_finite_count",
            "clip",
            "noise_stddev",
            "epsilon",
            "next_round_within_budget",
            "secure_upper_clipped_count",
            "secure_lower_clipped_count",
            "secure_upper_threshold",
            "secure_nan_zeroed_count",
            "robust_clients",
            "robust_max_faulty");

    private Measurements() {}

    /** Every numeric leaf of {@code measurements}, in field order, under its path. */
    public static Map<String, Double> flatten(Value measurements) {
        Map<String, Double> out = new LinkedHashMap<>();
        collect(measurements, "", out);
        return out;
    }

    private static void collect(Value v, String path, Map<String, Double> out) {
        if (v instanceof ServerValue s) {
            collect(s.value(), path, out);
        } else if (v instanceof Struct s) {
            for (int i = 0; i < s.size(); i++) {
                String name = s.nameAt(i) != null ? s.nameAt(i) : String.valueOf(i);
                collect(s.get(i), path.isEmpty() ? name : path + "/" + name, out);
            }
        } else if (v instanceof Tensor t) {
            if (t.size() == 1) {
                out.put(path, t.getDouble(0));
            } else {
                for (int i = 0; i < t.size(); i++) {
                    out.put(path + "[" + i + "]", t.getDouble(i));
                }
            }
        } else {
            throw new IllegalArgumentException("measurement " + (path.isEmpty() ? "(top level)" : path) + " is "
                    + v.type() + "; measurements are tensors, structures of them, or server values of them");
        }
    }

    /** The key measurements ({@link #KEY_NAMES}), under short names where unambiguous. */
    public static Map<String, Double> key(Value measurements) {
        Map<String, Double> all = flatten(measurements);
        Map<String, Integer> uses = new HashMap<>();
        for (String path : all.keySet()) {
            uses.merge(lastSegment(path), 1, Integer::sum);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : all.entrySet()) {
            String last = lastSegment(e.getKey());
            if (KEY_NAMES.contains(last)) {
                out.put(uses.get(last) == 1 ? last : e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private static String lastSegment(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
