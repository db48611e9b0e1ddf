package dev.fl4j.simulation.data;

import dev.fl4j.core.DType;
import dev.fl4j.core.Struct;
import dev.fl4j.core.StructType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A table of examples held column by column in flat primitive arrays: for every named column one
 * {@code float[]} or {@code int[]} of {@code size() × elementsPerExample} values, row-major. This is
 * the storage behind every in-memory client dataset: a million examples are a handful of arrays,
 * never a million objects.
 *
 * <p>Immutable by contract. The factories take ownership of the arrays they are given (no copy);
 * do not modify them afterwards. {@link #gather} copies the rows it is asked for into fresh arrays,
 * which is how a {@link Dataset} makes a batch.
 */
public final class Examples {

    /** One column: its name, dtype ({@code FLOAT32} or {@code INT32}), per-example shape and data. */
    public record Column(String name, DType dtype, int[] exampleShape, Object data) {
        public Column {
            Objects.requireNonNull(name, "column name");
            if (dtype != DType.FLOAT32 && dtype != DType.INT32) {
                throw new IllegalArgumentException(
                        "column '" + name + "': only float32 and int32 columns are supported, got " + dtype);
            }
            if (dtype == DType.FLOAT32 && !(data instanceof float[])
                    || dtype == DType.INT32 && !(data instanceof int[])) {
                throw new IllegalArgumentException("column '" + name + "' is " + dtype + " but holds "
                        + data.getClass().getSimpleName());
            }
            exampleShape = exampleShape.clone();
            long w = 1;
            for (int d : exampleShape) {
                if (d <= 0) {
                    throw new IllegalArgumentException("column '" + name + "': per-example shape "
                            + Arrays.toString(exampleShape) + " must be positive");
                }
                w *= d; // both factors are below 2^31, so the long product cannot overflow
                if (w > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(
                            "column '" + name + "': per-example shape " + Arrays.toString(exampleShape)
                                    + " holds more than " + Integer.MAX_VALUE + " values per example");
                }
            }
        }

        /** Values per example: the product of the per-example shape (checked to fit an int when the column is made). */
        public int width() {
            int w = 1;
            for (int d : exampleShape) {
                w = Math.multiplyExact(w, d);
            }
            return w;
        }

        int length() {
            return data instanceof float[] f ? f.length : ((int[]) data).length;
        }

        @Override
        public int[] exampleShape() {
            return exampleShape.clone();
        }
    }

    private final List<Column> columns;
    private final int size;

    private Examples(List<Column> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("examples need at least one column");
        }
        int n = -1;
        List<String> seen = new ArrayList<>();
        for (Column c : columns) {
            if (seen.contains(c.name())) {
                throw new IllegalArgumentException("duplicate column '" + c.name() + "'");
            }
            seen.add(c.name());
            int w = c.width();
            if (c.length() % w != 0) {
                throw new IllegalArgumentException("column '" + c.name() + "' holds " + c.length()
                        + " values, not a multiple of " + w + " per example " + Arrays.toString(c.exampleShape));
            }
            int rows = c.length() / w;
            if (n >= 0 && rows != n) {
                throw new IllegalArgumentException("column '" + c.name() + "' has " + rows + " examples but column '"
                        + columns.get(0).name() + "' has " + n);
            }
            n = rows;
        }
        this.columns = List.copyOf(columns);
        this.size = n;
    }

    /** Examples from explicit columns, all with the same number of rows. */
    public static Examples of(List<Column> columns) {
        return new Examples(columns);
    }

    /**
     * The usual supervised layout: {@code x} float32 features of per-example shape
     * {@code featureShape} and {@code y} int32 labels, one per example.
     */
    public static Examples of(float[] x, int[] featureShape, int[] y) {
        return new Examples(
                List.of(new Column("x", DType.FLOAT32, featureShape, x), new Column("y", DType.INT32, new int[0], y)));
    }

    /** Int features (e.g. token ids) and int labels, named {@code x} and {@code y}. */
    public static Examples of(int[] x, int[] featureShape, int[] y) {
        return new Examples(
                List.of(new Column("x", DType.INT32, featureShape, x), new Column("y", DType.INT32, new int[0], y)));
    }

    /**
     * No examples, with columns shaped by {@code exampleType}: a structure of named, fully defined
     * float32 and int32 tensors. Null if the type is not of that form.
     */
    static Examples emptyOf(dev.fl4j.core.Type exampleType) {
        if (!(exampleType instanceof StructType st) || st.size() == 0) {
            return null;
        }
        List<Column> cs = new ArrayList<>();
        for (StructType.Field f : st.fields()) {
            if (f.name() == null
                    || !(f.type() instanceof TensorType t)
                    || !t.isFullyDefined()
                    || (t.dtype() != DType.FLOAT32 && t.dtype() != DType.INT32)) {
                return null;
            }
            cs.add(new Column(f.name(), t.dtype(), t.shape(), t.dtype() == DType.FLOAT32 ? new float[0] : new int[0]));
        }
        return new Examples(cs);
    }

    /** Number of examples. */
    public int size() {
        return size;
    }

    public List<Column> columns() {
        return columns;
    }

    public Column column(String name) {
        for (Column c : columns) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no column '" + name + "' in " + exampleType());
    }

    /** The int32 column {@code name} (e.g. labels), backing array (do not modify). */
    public int[] ints(String name) {
        Column c = column(name);
        if (c.dtype() != DType.INT32) {
            throw new IllegalStateException("column '" + name + "' is " + c.dtype() + ", not int32");
        }
        return (int[]) c.data();
    }

    /** The float32 column {@code name}, backing array (do not modify). */
    public float[] floats(String name) {
        Column c = column(name);
        if (c.dtype() != DType.FLOAT32) {
            throw new IllegalStateException("column '" + name + "' is " + c.dtype() + ", not float32");
        }
        return (float[]) c.data();
    }

    /** The type of one example: {@code <x=float32[28,28,1],y=int32>}. */
    public StructType exampleType() {
        StructType.Builder b = StructType.builder();
        for (Column c : columns) {
            b.add(c.name(), new TensorType(c.dtype(), c.exampleShape));
        }
        return b.build();
    }

    /** The type of a batch: each column with a leading unknown batch dimension. */
    public StructType batchType() {
        StructType.Builder b = StructType.builder();
        for (Column c : columns) {
            b.add(c.name(), new TensorType(c.dtype(), prepend(TensorType.UNKNOWN, c.exampleShape)));
        }
        return b.build();
    }

    static int[] prepend(int first, int[] rest) {
        int[] s = new int[rest.length + 1];
        s[0] = first;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }

    /**
     * Rows {@code rows[from .. from+count)} copied into one structure of tensors with a leading
     * dimension {@code count}: a batch.
     */
    public Struct gather(int[] rows, int from, int count) {
        Struct.Builder b = Struct.builder();
        for (Column c : columns) {
            int w = c.width();
            int[] shape = prepend(count, c.exampleShape);
            if (c.data() instanceof float[] src) {
                float[] dst = new float[Math.multiplyExact(count, w)];
                for (int i = 0; i < count; i++) {
                    System.arraycopy(src, checkRow(rows[from + i]) * w, dst, i * w, w);
                }
                b.add(c.name(), Tensor.of(dst, shape));
            } else {
                int[] src = (int[]) c.data();
                int[] dst = new int[Math.multiplyExact(count, w)];
                for (int i = 0; i < count; i++) {
                    System.arraycopy(src, checkRow(rows[from + i]) * w, dst, i * w, w);
                }
                b.add(c.name(), Tensor.of(dst, shape));
            }
        }
        return b.build();
    }

    /** Example {@code row} as a structure of per-example tensors (copies). */
    public Struct example(int row) {
        checkRow(row);
        Struct.Builder b = Struct.builder();
        for (Column c : columns) {
            int w = c.width();
            if (c.data() instanceof float[] src) {
                b.add(c.name(), Tensor.of(Arrays.copyOfRange(src, row * w, row * w + w), c.exampleShape));
            } else {
                b.add(c.name(), Tensor.of(Arrays.copyOfRange((int[]) c.data(), row * w, row * w + w), c.exampleShape));
            }
        }
        return b.build();
    }

    /** The given rows, in that order, copied into new examples. */
    public Examples select(int[] rows) {
        Struct s = gather(rows, 0, rows.length);
        List<Column> cs = new ArrayList<>(columns.size());
        for (Column c : columns) {
            Tensor t = s.tensor(c.name());
            cs.add(new Column(
                    c.name(), c.dtype(), c.exampleShape, c.dtype() == DType.FLOAT32 ? t.floatData() : t.intData()));
        }
        return new Examples(cs);
    }

    private int checkRow(int row) {
        if (row < 0 || row >= size) {
            throw new IndexOutOfBoundsException("example " + row + " of " + size);
        }
        return row;
    }

    /** A dataset over all rows in order. */
    public Dataset asDataset() {
        return Dataset.of(this);
    }

    @Override
    public String toString() {
        return size + " examples of " + exampleType();
    }
}
