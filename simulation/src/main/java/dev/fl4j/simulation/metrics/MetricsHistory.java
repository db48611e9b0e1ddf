package dev.fl4j.simulation.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A sink that keeps every round's metrics in memory, for plots, summaries and tests. */
public final class MetricsHistory implements MetricsSink {

    private final List<Integer> rounds = new ArrayList<>();
    private final List<Map<String, Double>> rows = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();

    @Override
    public void write(int round, Map<String, Double> metrics) {
        MetricsSink.check(round, metrics);
        rounds.add(round);
        rows.add(Collections.unmodifiableMap(new LinkedHashMap<>(metrics)));
        names.addAll(metrics.keySet());
    }

    /** Metric names in first-seen order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(names);
    }

    /** Number of rounds recorded. */
    public int size() {
        return rounds.size();
    }

    /** The recorded round numbers, in recording order. */
    public List<Integer> rounds() {
        return Collections.unmodifiableList(rounds);
    }

    /** The metrics recorded at position {@code i}. */
    public Map<String, Double> row(int i) {
        return rows.get(i);
    }

    /** A metric over the rounds that have it: {@code [0]} round numbers, {@code [1]} values. */
    public double[][] series(String name) {
        int n = 0;
        for (Map<String, Double> r : rows) {
            if (r.containsKey(name)) {
                n++;
            }
        }
        double[][] xy = new double[2][n];
        int j = 0;
        for (int i = 0; i < rows.size(); i++) {
            Double v = rows.get(i).get(name);
            if (v != null) {
                xy[0][j] = rounds.get(i);
                xy[1][j] = v;
                j++;
            }
        }
        return xy;
    }

    @Override
    public void close() {}
}
