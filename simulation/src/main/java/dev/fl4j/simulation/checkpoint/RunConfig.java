package dev.fl4j.simulation.checkpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The settings that decide a run's trajectory (dataset, partition, model, algorithm, learning rates,
 * aggregator, seed …), as sorted {@code key=value} pairs. Its {@link #fingerprint()} is stored in
 * every checkpoint, and a run resumes only from a checkpoint with the same fingerprint.
 *
 * <p>Leave out what does not change the model: the number of rounds (a finished run can be
 * extended), the worker count (results do not depend on it), evaluation frequency and output
 * files.
 */
public record RunConfig(SortedMap<String, String> settings) {

    public RunConfig {
        Objects.requireNonNull(settings, "settings");
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().contains("=") || e.getKey().contains("\n")) {
                throw new IllegalArgumentException(
                        "setting name '" + e.getKey() + "' must be non-empty without '=' or line breaks");
            }
            if (e.getValue() == null || e.getValue().contains("\n")) {
                throw new IllegalArgumentException(
                        "setting '" + e.getKey() + "' must have a one-line value, got " + e.getValue());
            }
        }
        settings = Collections.unmodifiableSortedMap(new TreeMap<>(settings));
    }

    /** A configuration from any map of settings. */
    public static RunConfig of(Map<String, String> settings) {
        return new RunConfig(new TreeMap<>(settings));
    }

    /**
     * This configuration with {@code key} set to {@code value}.
     *
     * @throws IllegalArgumentException if the configuration already sets {@code key} to another value
     */
    public RunConfig with(String key, String value) {
        String old = settings.get(key);
        if (old != null && !old.equals(value)) {
            throw new IllegalArgumentException(
                    "run config sets '" + key + "' to " + old + ", cannot also set it to " + value);
        }
        TreeMap<String, String> m = new TreeMap<>(settings);
        m.put(key, value);
        return new RunConfig(m);
    }

    /** The canonical text: one {@code key=value} line per setting, sorted by key. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        settings.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    /** Parses {@link #text()}. */
    public static RunConfig parse(String text) {
        TreeMap<String, String> m = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("run config line '" + line + "' is not key=value");
            }
            m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return new RunConfig(m);
    }

    /** SHA-256 of {@link #text()} in lower-case hex. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text().getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(64);
            for (byte b : digest) {
                sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** The settings that differ from {@code other}, as {@code key: this → other} lines. */
    public List<String> differences(RunConfig other) {
        TreeMap<String, String> keys = new TreeMap<>(settings);
        other.settings.forEach(keys::putIfAbsent);
        List<String> out = new ArrayList<>();
        for (String k : keys.keySet()) {
            String a = settings.get(k);
            String b = other.settings.get(k);
            if (!Objects.equals(a, b)) {
                out.add(k + ": " + (a == null ? "(unset)" : a) + " → " + (b == null ? "(unset)" : b));
            }
        }
        return out;
    }
}
