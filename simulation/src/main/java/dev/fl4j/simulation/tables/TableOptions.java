package dev.fl4j.simulation.tables;

import java.util.List;
import java.util.Objects;

/**
 * How a table becomes examples {@code <x=float32[F], y=int32>}: which column is the label, which (if
 * any) names each row's client, which columns are features and how categorical ones are encoded, and
 * what a missing or NaN value means. Built with {@link #builder()}.
 *
 * <ul>
 *   <li><b>Label</b> ({@code setLabelColumn}, required): with {@code optLabels}, a cell must be one of
 *       the listed labels (class = its position; another is an unknown label, an error); without,
 *       labels that are all non-negative integers are the class numbers themselves (classes
 *       {@code 0..max}), and any other labels are classes in sorted (string) order.
 *   <li><b>Clients</b> ({@code optClientColumn}): rows with the same id are one client's examples, in
 *       file order; clients are in order of first appearance. Without it the table is centralised.
 *   <li><b>Features</b> ({@code optFeatureColumns}): by default every column but the label and the
 *       client column, in file order. Categorical columns are the string columns of a typed format
 *       (Parquet) and those named by {@code optCategoricalColumns} (any format); each is one-hot
 *       encoded (the default: one float per category, categories in sorted order) or indexed (one
 *       float, the category's position in sorted order), as {@code optCategoricalEncoding} says.
 *       Every other feature must be a number. When every feature is numeric and the columns are
 *       named {@code NAME[i]...[k]} in row-major order over a full grid (as {@link TableExport}
 *       writes them), {@code x} takes that grid's shape (e.g. {@code float32[28,28,1]}); otherwise it
 *       is {@code float32[F]}.
 *   <li><b>Missing and NaN</b> ({@code optNanPolicy}): by default an empty or null feature cell, NaN or
 *       an infinity is a malformed row; {@link NanPolicy#ZERO} reads them as 0 (and a missing category
 *       as the empty category), {@link NanPolicy#KEEP} keeps NaN and infinities and reads a missing
 *       number as NaN. A missing label or client id is always malformed.
 * </ul>
 */
public final class TableOptions {

    /** How categorical feature columns become floats. */
    public enum CategoricalEncoding {
        /** One float per category, 1 for the row's category and 0 for the others (the default). */
        ONE_HOT,
        /** One float: the category's position in sorted order. */
        INDEX
    }

    /** What a missing feature cell, NaN or infinity means. */
    public enum NanPolicy {
        /** A malformed row, reported (the default). */
        REJECT,
        /** Zero (and a missing category is the empty category). */
        ZERO,
        /** NaN for a missing number; NaN and infinities kept (and a missing category is the empty category). */
        KEEP
    }

    private final String labelColumn;
    private final String clientColumn;
    private final List<String> featureColumns;
    private final List<String> categoricalColumns;
    private final CategoricalEncoding encoding;
    private final List<String> labels;
    private final NanPolicy nanPolicy;

    private TableOptions(Builder b) {
        this.labelColumn = b.labelColumn;
        this.clientColumn = b.clientColumn;
        this.featureColumns = b.featureColumns;
        this.categoricalColumns = b.categoricalColumns;
        this.encoding = b.encoding;
        this.labels = b.labels;
        this.nanPolicy = b.nanPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String labelColumn() {
        return labelColumn;
    }

    /** The client-id column, or null for a centralised table. */
    public String clientColumn() {
        return clientColumn;
    }

    /** The feature columns asked for, or null for every column but the label and client columns. */
    public List<String> featureColumns() {
        return featureColumns;
    }

    public List<String> categoricalColumns() {
        return categoricalColumns;
    }

    public CategoricalEncoding categoricalEncoding() {
        return encoding;
    }

    /** The labels in class order, or null to take them from the data. */
    public List<String> labels() {
        return labels;
    }

    public NanPolicy nanPolicy() {
        return nanPolicy;
    }

    /** Builder of {@link TableOptions}; {@link #setLabelColumn} is required. */
    public static final class Builder {
        private String labelColumn;
        private String clientColumn;
        private List<String> featureColumns;
        private List<String> categoricalColumns = List.of();
        private CategoricalEncoding encoding = CategoricalEncoding.ONE_HOT;
        private List<String> labels;
        private NanPolicy nanPolicy = NanPolicy.REJECT;

        private Builder() {}

        /** The label column (required). */
        public Builder setLabelColumn(String name) {
            this.labelColumn = Objects.requireNonNull(name, "labelColumn");
            return this;
        }

        /** The client-id column of a table that is already federated (default: none, centralised). */
        public Builder optClientColumn(String name) {
            this.clientColumn = name;
            return this;
        }

        /** The feature columns, in this order (default: every other column, in file order). */
        public Builder optFeatureColumns(List<String> names) {
            this.featureColumns = names == null ? null : List.copyOf(names);
            return this;
        }

        /** Columns to read as categories (default: none besides a typed format's string columns). */
        public Builder optCategoricalColumns(List<String> names) {
            this.categoricalColumns = List.copyOf(names);
            return this;
        }

        /** How categories become floats (default {@link CategoricalEncoding#ONE_HOT}). */
        public Builder optCategoricalEncoding(CategoricalEncoding encoding) {
            this.encoding = Objects.requireNonNull(encoding, "encoding");
            return this;
        }

        /** The labels in class order (default: from the data, see {@link TableOptions}). */
        public Builder optLabels(List<String> labels) {
            this.labels = labels == null ? null : List.copyOf(labels);
            return this;
        }

        /** What missing and NaN feature values mean (default {@link NanPolicy#REJECT}). */
        public Builder optNanPolicy(NanPolicy policy) {
            this.nanPolicy = Objects.requireNonNull(policy, "nanPolicy");
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalStateException if no label column was set, a column plays two parts, a list
         *     names a column twice, or the labels repeat
         */
        public TableOptions build() {
            if (labelColumn == null || labelColumn.isBlank()) {
                throw new IllegalStateException("setLabelColumn: a table needs a label column");
            }
            if (labelColumn.equals(clientColumn)) {
                throw new IllegalStateException("optClientColumn: '" + clientColumn + "' is also the label column");
            }
            if (featureColumns != null) {
                unique("optFeatureColumns", featureColumns);
                if (featureColumns.isEmpty()) {
                    throw new IllegalStateException("optFeatureColumns: at least one feature column");
                }
                if (featureColumns.contains(labelColumn)
                        || (clientColumn != null && featureColumns.contains(clientColumn))) {
                    throw new IllegalStateException(
                            "optFeatureColumns: the label and client columns cannot be features");
                }
            }
            unique("optCategoricalColumns", categoricalColumns);
            if (categoricalColumns.contains(labelColumn)
                    || (clientColumn != null && categoricalColumns.contains(clientColumn))) {
                throw new IllegalStateException("optCategoricalColumns: the label and client columns are not features");
            }
            if (labels != null) {
                unique("optLabels", labels);
                if (labels.isEmpty()) {
                    throw new IllegalStateException("optLabels: at least one label");
                }
            }
            return new TableOptions(this);
        }

        private static void unique(String setter, List<String> names) {
            if (new java.util.HashSet<>(names).size() != names.size()) {
                throw new IllegalStateException(setter + ": " + names + " names a column or label twice");
            }
        }
    }
}
