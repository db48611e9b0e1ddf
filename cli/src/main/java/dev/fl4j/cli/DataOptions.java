package dev.fl4j.cli;

import dev.fl4j.cli.simulate.TableSpec;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code --dataset csv:PATH} and {@code parquet:PATH}, mixed into every command that
 * reads a data set ({@code simulate}, {@code server}, {@code client}, {@code data export}); see
 * {@link TableSpec} and {@code dev.fl4j.simulation.tables.TableOptions} for what each means.
 */
final class DataOptions {

    @Option(
            names = "--label-column",
            paramLabel = "NAME",
            description = "csv:/parquet: data sets: the label column (required for them). Integer labels are the"
                    + " class numbers; other labels are classes in sorted order.")
    String labelColumn;

    @Option(
            names = "--client-column",
            paramLabel = "NAME",
            description = "csv:/parquet: the client-id column of data that is already federated (its rows with one"
                    + " id are one client's); without it the table is centralised and split by --partition.")
    String clientColumn;

    @Option(
            names = "--feature-columns",
            paramLabel = "A,B,...",
            split = ",",
            description = "csv:/parquet: the feature columns, in this order. Default: every other column.")
    List<String> featureColumns;

    @Option(
            names = "--categorical-columns",
            paramLabel = "A,B,...",
            split = ",",
            description = "csv:/parquet: columns read as categories (Parquet string columns are categories anyway).")
    List<String> categoricalColumns;

    @Option(
            names = "--categorical",
            paramLabel = "ENCODING",
            defaultValue = "one-hot",
            description = "csv:/parquet: categories as one-hot floats or as one float, their index in sorted order:"
                    + " one-hot, index. Default: ${DEFAULT-VALUE}.")
    String categorical;

    @Option(
            names = "--labels",
            paramLabel = "A,B,...",
            split = ",",
            description = "csv:/parquet: the labels in class order; any other label is reported as unknown.")
    List<String> labels;

    @Option(
            names = "--nan-policy",
            paramLabel = "POLICY",
            defaultValue = "reject",
            description = "csv:/parquet: an empty feature cell, NaN or infinity: reject (reported with file and line),"
                    + " zero, keep. Default: ${DEFAULT-VALUE}.")
    String nanPolicy;

    TableSpec spec() {
        return new TableSpec(
                labelColumn, clientColumn, featureColumns, categoricalColumns, categorical, labels, nanPolicy);
    }
}
