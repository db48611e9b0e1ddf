package dev.fl4j.cli.simulate;

import dev.fl4j.core.runtime.BitFormat;
import dev.fl4j.simulation.checkpoint.Checkpoint;
import dev.fl4j.simulation.training.Cohort;
import dev.fl4j.simulation.training.ModelEvaluation;
import dev.fl4j.simulation.training.RoundListener;
import dev.fl4j.simulation.training.TrainingLoop;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Prints a run as TFF's tutorials do: while a round trains, a progress bar over its clients (on the
 * error stream, cleared when the round ends); then one line per round,
 * {@code round  3, loss=2.3061, accuracy=0.0799, broadcasted_bits=1.98Gibit, aggregated_bits=585.86Mibit,
 * total_bits=2.55Gibit},
 * with evaluation results and the aggregator's scalar measurements appended when present.
 */
final class RoundPrinter implements RoundListener {

    static final String TRAIN_LOSS = "client_work/train/loss";
    static final String TRAIN_ACCURACY = "client_work/train/sparse_categorical_accuracy";
    /** The points a k-means round's clients assigned. */
    static final String KMEANS_POINTS = "client_work/num_examples";

    private static final int MAX_AGGREGATOR_MEASUREMENTS = 4;

    private final PrintWriter out;
    private final PrintStream progressStream;
    private final String runName;
    private ProgressBar bar;
    private boolean isPrivate;

    /** {@code progressStream} null: no progress bar. */
    RoundPrinter(PrintWriter out, PrintStream progressStream, String runName) {
        this.out = out;
        this.progressStream = progressStream;
        this.runName = runName;
    }

    /** Prints the statement, and shows no progress bar from now on: it would count the sampled clients. */
    @Override
    public void privacy(String statement) {
        isPrivate = true;
        out.printf(Locale.ROOT, "[%s] %s%n", runName, statement);
        out.flush();
    }

    @Override
    public void resumed(Checkpoint checkpoint) {
        if (isPrivate) {
            out.printf(Locale.ROOT, "[%s] resuming after round %d from its checkpoint%n", runName, checkpoint.round());
        } else {
            out.printf(
                    Locale.ROOT,
                    "[%s] resuming after round %d from its checkpoint "
                            + "(broadcasted_bits=%s, aggregated_bits=%s, total_bits=%s)%n",
                    runName,
                    checkpoint.round(),
                    BitFormat.format(checkpoint.broadcastedBits()),
                    BitFormat.format(checkpoint.aggregatedBits()),
                    BitFormat.format(checkpoint.broadcastedBits() + checkpoint.aggregatedBits()));
        }
        out.flush();
    }

    @Override
    public void roundStarted(Cohort cohort) {
        if (progressStream != null && !isPrivate && !cohort.reporting().isEmpty()) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format(Locale.ROOT, "round %2d", cohort.round()))
                    .setInitialMax(cohort.reporting().size())
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" clients", 1)
                    .setConsumer(new ConsoleProgressBarConsumer(progressStream))
                    .clearDisplayOnFinish()
                    .setUpdateIntervalMillis(250)
                    .build();
        }
    }

    @Override
    public void clientLoaded(int round, String clientId) {
        ProgressBar b = bar;
        if (b != null) {
            b.step();
        }
    }

    @Override
    public void stoppedEarly(int round, String reason) {
        out.printf(Locale.ROOT, "[%s] stopped after round %d: %s%n", runName, round, reason);
        out.flush();
    }

    @Override
    public void roundFinished(int round, Map<String, Double> metrics) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.println(line(round, metrics));
        out.flush();
    }

    /** The tutorial-shaped line of one round. */
    static String line(int round, Map<String, Double> m) {
        return line(round, m, false);
    }

    /** As {@link #line(int, Map)}; {@code alwaysClients} prints {@code clients=REPORTED/SELECTED} even if equal. */
    static String line(int round, Map<String, Double> m, boolean alwaysClients) {
        List<String> parts = new ArrayList<>();
        parts.add(String.format(Locale.ROOT, "round %2d", round));
        if (m.containsKey(TRAIN_LOSS)) {
            parts.add(String.format(Locale.ROOT, "loss=%.4f", m.get(TRAIN_LOSS)));
        }
        if (m.containsKey(TRAIN_ACCURACY)) {
            parts.add(String.format(Locale.ROOT, "accuracy=%.4f", m.get(TRAIN_ACCURACY)));
        }
        if (m.containsKey(TrainingLoop.BROADCASTED_BITS)) {
            parts.add("broadcasted_bits="
                    + BitFormat.format(m.get(TrainingLoop.BROADCASTED_BITS).longValue()));
        }
        if (m.containsKey(TrainingLoop.AGGREGATED_BITS)) {
            parts.add("aggregated_bits="
                    + BitFormat.format(m.get(TrainingLoop.AGGREGATED_BITS).longValue()));
        }
        if (m.containsKey(TrainingLoop.TOTAL_BITS)) {
            parts.add("total_bits="
                    + BitFormat.format(m.get(TrainingLoop.TOTAL_BITS).longValue()));
        }
        Double sampled = m.get(TrainingLoop.CLIENTS_SAMPLED);
        Double reporting = m.get(TrainingLoop.CLIENTS_REPORTING);
        if (sampled != null && reporting != null && (alwaysClients || !sampled.equals(reporting))) {
            parts.add(String.format(Locale.ROOT, "clients=%d/%d", reporting.intValue(), sampled.intValue()));
        }
        if (m.containsKey(KMEANS_POINTS)) {
            parts.add("points=" + m.get(KMEANS_POINTS).longValue());
        }
        for (String prefix : List.of(ModelEvaluation.CENTRAL, ModelEvaluation.FEDERATED)) {
            Double distance = m.get(prefix + "/mean_squared_distance");
            if (distance != null) {
                parts.add(String.format(Locale.ROOT, "%s_mean_squared_distance=%.4f", prefix, distance));
                parts.add(prefix + "_cluster_sizes=" + clusterSizes(m, prefix));
            }
            Double loss = m.get(prefix + "/loss");
            Double acc = m.get(prefix + "/sparse_categorical_accuracy");
            if (loss != null) {
                parts.add(String.format(Locale.ROOT, "%s_loss=%.4f", prefix, loss));
            }
            if (acc != null) {
                parts.add(String.format(Locale.ROOT, "%s_accuracy=%.4f", prefix, acc));
            }
        }
        int shown = 0;
        for (Map.Entry<String, Double> e : m.entrySet()) {
            if (e.getKey().startsWith("aggregator/") && shown < MAX_AGGREGATOR_MEASUREMENTS) {
                parts.add(e.getKey().substring("aggregator/".length()) + "=" + number(e.getValue()));
                shown++;
            }
        }
        return String.join(", ", parts);
    }

    /**
     * The sizes of k-means clusters in evaluation {@code prefix} ({@code eval/cluster_sizes/cluster_J}), joined by
     * {@code /} in cluster order.
     */
    static String clusterSizes(Map<String, Double> m, String prefix) {
        List<String> sizes = new ArrayList<>();
        for (int j = 0; m.containsKey(prefix + "/cluster_sizes/cluster_" + j); j++) {
            sizes.add(
                    String.valueOf(m.get(prefix + "/cluster_sizes/cluster_" + j).longValue()));
        }
        return String.join("/", sizes);
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /** Closes a bar left open by a failed round. */
    void closeProgress() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
