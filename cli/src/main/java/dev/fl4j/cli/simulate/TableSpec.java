package dev.fl4j.cli.simulate;

import dev.fl4j.simulation.tables.TableOptions;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table options of {@code --dataset csv:PATH} and {@code parquet:PATH}, as given on the command
 * line ({@code --label-column}, {@code --client-column}, {@code --feature-columns},
 * {@code --categorical-columns}, {@code --categorical}, {@code --labels}, {@code --nan-policy}); shared by
 * {@code simulate}, {@code server}, {@code client} and {@code data export}. Null lists and names mean
 * not given. {@link #toOptions()} checks them and makes the simulation's {@link TableOptions}.
 */
public record TableSpec(
        String labelColumn,
        String clientColumn,
        List<String> featureColumns,
        List<String> categoricalColumns,
        String categorical,
        List<String> labels,
        String nanPolicy) {

    /** No table options given. */
    public static final TableSpec NONE = new TableSpec(null, null, null, null, "one-hot", null, "reject");

    /** The values {@code --categorical} takes; the first is the default. */
    public static final List<String> ENCODINGS = List.of("one-hot", "index");

    /** The values {@code --nan-policy} takes; the first is the default. */
    public static final List<String> NAN_POLICIES = List.of("reject", "zero", "keep");

    public TableSpec {
        featureColumns = featureColumns == null ? null : List.copyOf(featureColumns);
        categoricalColumns = categoricalColumns == null ? null : List.copyOf(categoricalColumns);
        labels = labels == null ? null : List.copyOf(labels);
        categorical = categorical == null ? "one-hot" : categorical;
        nanPolicy = nanPolicy == null ? "reject" : nanPolicy;
    }

    /** Whether a table with these options is already federated (has a client column). */
    public boolean federated() {
        return clientColumn != null;
    }

    /**
     * The options for reading the table of {@code --dataset spec}.
     *
     * @throws UsageException if {@code --label-column} is missing or the options conflict
     */
    public TableOptions toOptions(String spec) {
        if (labelColumn == null) {
            throw new UsageException("--dataset " + spec + " needs --label-column NAME (the column of the labels)");
        }
        TableOptions.Builder b = TableOptions.builder().setLabelColumn(labelColumn);
        b.optClientColumn(clientColumn);
        b.optFeatureColumns(featureColumns);
        if (categoricalColumns != null) {
            b.optCategoricalColumns(categoricalColumns);
        }
        b.optLabels(labels);
        b.optCategoricalEncoding(
                switch (categorical.toLowerCase(Locale.ROOT)) {
                    case "one-hot" -> TableOptions.CategoricalEncoding.ONE_HOT;
                    case "index" -> TableOptions.CategoricalEncoding.INDEX;
                    default ->
                        throw new UsageException(
                                "--categorical " + categorical + ": expected " + String.join(" or ", ENCODINGS));
                });
        b.optNanPolicy(
                switch (nanPolicy.toLowerCase(Locale.ROOT)) {
                    case "reject" -> TableOptions.NanPolicy.REJECT;
                    case "zero" -> TableOptions.NanPolicy.ZERO;
                    case "keep" -> TableOptions.NanPolicy.KEEP;
                    default ->
                        throw new UsageException(
                                "--nan-policy " + nanPolicy + ": expected " + String.join(", ", NAN_POLICIES));
                });
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw new UsageException("--dataset " + spec + ": "
                    + e.getMessage()
                            .replace("setLabelColumn", "--label-column")
                            .replace("optClientColumn", "--client-column")
                            .replace("optFeatureColumns", "--feature-columns")
                            .replace("optCategoricalColumns", "--categorical-columns")
                            .replace("optLabels", "--labels"));
        }
    }

    /** Refuses table options given for a data set that is not a table. */
    void checkUnused(String spec) {
        if (labelColumn != null
                || clientColumn != null
                || featureColumns != null
                || categoricalColumns != null
                || labels != null) {
            throw new UsageException("--label-column, --client-column, --feature-columns, --categorical-columns and"
                    + " --labels apply to csv:PATH and parquet:PATH data sets, not " + spec);
        }
    }

    /** Adds the options given to a provenance record (option name without dashes to value). */
    public void putOptions(Map<String, String> options) {
        if (labelColumn != null) {
            options.put("label-column", labelColumn);
            options.put("categorical", categorical);
            options.put("nan-policy", nanPolicy);
        }
        if (clientColumn != null) {
            options.put("client-column", clientColumn);
        }
        if (featureColumns != null) {
            options.put("feature-columns", String.join(",", featureColumns));
        }
        if (categoricalColumns != null) {
            options.put("categorical-columns", String.join(",", categoricalColumns));
        }
        if (labels != null) {
            options.put("labels", String.join(",", labels));
        }
    }
}
