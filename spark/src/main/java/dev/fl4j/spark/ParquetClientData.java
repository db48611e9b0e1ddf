package dev.fl4j.spark;

import dev.fl4j.core.Type;
import dev.fl4j.core.Value;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.core.io.ValueCodec;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Client data as Parquet files with a client-id column: one row per example,
 * {@code client_index int, client_id string, example int, value binary}, where {@code value} is the
 * example in fl4j's value format ({@link ValueCodec}), so any dataset fl4j reads can be written, and
 * {@code client_index} keeps the clients' order (which sampling follows). Each client also has a row
 * with {@code example = -1} and no value, so a client without examples is kept too.
 *
 * <p>{@link #write} streams the clients from the driver, a chunk of clients per Parquet write;
 * {@link #read} reads the files back into a {@link ClientData} held on the driver, clients in
 * {@code client_index} order and each client's examples in {@code example} order (moderate sizes:
 * the round's client data is then shipped with the tasks as for any
 * {@code ClientData}).
 */
public final class ParquetClientData {

    public static final String CLIENT_INDEX = "client_index";
    public static final String CLIENT_ID = "client_id";
    public static final String EXAMPLE = "example";
    public static final String VALUE = "value";

    /** The row layout. */
    public static final StructType SCHEMA = new StructType()
            .add(CLIENT_INDEX, DataTypes.IntegerType, false)
            .add(CLIENT_ID, DataTypes.StringType, false)
            .add(EXAMPLE, DataTypes.IntegerType, false)
            .add(VALUE, DataTypes.BinaryType, true);

    private static final int CLIENTS_PER_WRITE = 1_000;

    private ParquetClientData() {}

    /** Writes every client's examples under {@code path} (a directory, replaced if it exists). */
    public static void write(SparkSession spark, ClientData data, String path) {
        List<String> ids = data.clientIds();
        for (int from = 0; from < ids.size(); from += CLIENTS_PER_WRITE) {
            List<Row> rows = new ArrayList<>();
            for (int c = from; c < Math.min(ids.size(), from + CLIENTS_PER_WRITE); c++) {
                String id = ids.get(c);
                rows.add(RowFactory.create(c, id, -1, null));
                int e = 0;
                for (Value example : data.datasetFor(id)) {
                    rows.add(RowFactory.create(c, id, e++, ValueCodec.encode(example)));
                }
            }
            spark.createDataFrame(rows, SCHEMA)
                    .coalesce(1)
                    .write()
                    .mode(from == 0 ? SaveMode.Overwrite : SaveMode.Append)
                    .parquet(path);
        }
    }

    /**
     * Reads client data written by {@link #write} (or any Parquet files with these columns).
     *
     * @throws MalformedDataException if a column is missing or of another type, a value is not in
     *     fl4j's value format, a client's examples differ in type, or a client id has two indices
     */
    public static ClientData read(SparkSession spark, String path) {
        org.apache.spark.sql.Dataset<Row> rows = spark.read().parquet(path);
        for (var field : SCHEMA.fields()) {
            int i;
            try {
                i = rows.schema().fieldIndex(field.name());
            } catch (IllegalArgumentException e) {
                throw new MalformedDataException(
                        path + ": no column '" + field.name() + "' (" + SCHEMA.simpleString() + ")");
            }
            if (!rows.schema().fields()[i].dataType().equals(field.dataType())) {
                throw new MalformedDataException(path + ": column '" + field.name() + "' is "
                        + rows.schema().fields()[i].dataType().simpleString() + ", expected "
                        + field.dataType().simpleString());
            }
        }
        // no sort on the cluster (a shuffle of every example): the rows come back in any order and are put in client
        // and
        // example order here, where read() holds them anyway
        Iterator<Row> it = rows.select(CLIENT_INDEX, CLIENT_ID, EXAMPLE, VALUE).toLocalIterator();
        TreeMap<Integer, String> idAt = new TreeMap<>();
        Map<String, Integer> indexOf = new HashMap<>();
        Map<String, TreeMap<Integer, Value>> examples = new HashMap<>();
        Type type = null;
        while (it.hasNext()) {
            Row r = it.next();
            int index = r.getInt(0);
            String id = r.getString(1);
            Integer known = indexOf.putIfAbsent(id, index);
            String other = idAt.putIfAbsent(index, id);
            if ((known != null && known != index) || (other != null && !other.equals(id))) {
                throw new MalformedDataException(path + ": client '" + id + "' and index " + index
                        + " do not name each other one to one (also " + known + ", '" + other + "')");
            }
            TreeMap<Integer, Value> values = examples.computeIfAbsent(id, k -> new TreeMap<>());
            if (r.isNullAt(3)) {
                continue;
            }
            Value v = ValueCodec.decode((byte[]) r.get(3));
            if (type == null) {
                type = v.type();
            } else if (!type.equals(v.type())) {
                throw new MalformedDataException(path + ": client '" + id + "' example " + r.getInt(2) + " is "
                        + v.type() + ", other examples are " + type);
            }
            if (values.put(r.getInt(2), v) != null) {
                throw new MalformedDataException(path + ": client '" + id + "' has example " + r.getInt(2) + " twice");
            }
        }
        if (type == null) {
            throw new MalformedDataException(path + ": no examples, so the element type is unknown");
        }
        Map<String, Dataset> datasets = new LinkedHashMap<>();
        for (String id : idAt.values()) {
            datasets.put(
                    id,
                    Dataset.fromValues(type, new ArrayList<>(examples.get(id).values())));
        }
        return ClientData.fromMap(datasets);
    }
}
