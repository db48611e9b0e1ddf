package dev.fl4j.simulation.export;

import dev.fl4j.core.DType;
import dev.fl4j.core.Tensor;
import dev.fl4j.core.TensorType;
import dev.fl4j.simulation.datasets.DatasetFileException;
import dev.fl4j.simulation.datasets.Idx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The examples {@code fl4j predict} feeds an exported model, from a file, as one tensor of the model's input type. Two
 * formats, told apart by content:
 * <ul>
 *   <li><b>IDX</b> (MNIST's format: two zero bytes, type {@code 0x08}, plain or gzip): an unsigned-byte array
 *       {@code [n, ...]}, one example per first index, scaled from 0..255 to [0, 1] as fl4j's MNIST and Fashion-MNIST
 *       loaders scale them; a float model only.</li>
 *   <li><b>CSV</b>: one example per line, its values in the input's row-major order separated by commas (784 values
 *       for a 28×28×1 image); an optional first line of column names (no field a number); no quoting. Float models take
 *       decimal numbers ({@code -1.5}, {@code 2e-3}), int models integers. Blank lines are skipped.</li>
 * </ul>
 * Every line must hold exactly the values of one example. {@code NaN}, infinities and numbers beyond float32 are
 * refused, not imputed: a model has no answer for them. Every problem is a {@link DatasetFileException} naming the
 * file, the line and the column.
 */
public final class FeatureFile {

    /** The most examples read from one file. */
    public static final int MAX_EXAMPLES = 1 << 24;

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,4})?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,10}");
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

    private FeatureFile() {}

    /**
     * The examples in {@code file} as {@code input} with the batch dimension set.
     *
     * @throws DatasetFileException if the file cannot be read or does not hold such examples
     */
    public static Tensor read(Path file, TensorType input) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(3);
        } catch (NoSuchFileException e) {
            throw new DatasetFileException(file, "does not exist", e);
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot be read: " + e.getMessage(), e);
        }
        boolean gzip = head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
        boolean idx = head.length >= 3 && head[0] == 0 && head[1] == 0 && head[2] == 0x08;
        if (gzip || idx) {
            return idx(file, input);
        }
        try {
            return parseCsv(Files.readAllBytes(file), file, input);
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static Tensor idx(Path file, TensorType input) {
        if (input.dtype() != DType.FLOAT32) {
            throw new DatasetFileException(
                    file, "is an IDX image file, but the model takes " + input + " (ids); give ids as CSV");
        }
        Idx.Array a = Idx.read(file);
        int width = width(input);
        int n = a.dims().length == 0 ? 0 : a.dims()[0];
        long per = 1;
        for (int i = 1; i < a.dims().length; i++) {
            per *= a.dims()[i];
        }
        if (a.dims().length < 2 || per != width) {
            throw new DatasetFileException(
                    file,
                    "holds examples of dimensions " + Arrays.toString(a.dims()) + " but the model takes " + input + " ("
                            + width + " values per example)");
        }
        if (n == 0) {
            throw new DatasetFileException(file, "holds no examples");
        }
        byte[] p = a.data();
        float[] x = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            x[i] = (p[i] & 0xFF) / 255f;
        }
        return Tensor.of(x, batchShape(input, n));
    }

    /**
     * The examples of CSV {@code content}; {@code file} names it in errors.
     *
     * @throws DatasetFileException if it does not hold examples of {@code input}
     */
    public static Tensor parseCsv(byte[] content, Path file, TensorType input) {
        String text = new String(content, StandardCharsets.UTF_8);
        int width = width(input);
        boolean ints = input.dtype() == DType.INT32;
        if (!ints && input.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("models take float32 or int32 features, not " + input.dtype());
        }
        float[] floats = ints ? null : new float[Math.min(width * 64, 1 << 20)];
        int[] intValues = ints ? new int[Math.min(width * 64, 1 << 20)] : null;
        int rows = 0;
        int lineNo = 0;
        boolean sawData = false;
        int headerLine = firstNonBlank(text);
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, end);
            start = end + 1;
            lineNo++;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                if (end == text.length()) {
                    break;
                }
                continue;
            }
            String[] fields = line.split(",", -1);
            if (!sawData && lineNo == headerLine && isHeader(fields)) {
                if (fields.length != width) {
                    throw new DatasetFileException(
                            file,
                            "line " + lineNo + ": the header names " + fields.length + " columns but the model takes "
                                    + width + " values per example (" + input + ")");
                }
                sawData = true;
                continue;
            }
            sawData = true;
            if (fields.length != width) {
                throw new DatasetFileException(
                        file,
                        "line " + lineNo + ": " + fields.length + " values, but the model" + " takes " + width
                                + " values per example (" + input + ")");
            }
            if (rows >= MAX_EXAMPLES) {
                throw new DatasetFileException(file, "holds more than " + MAX_EXAMPLES + " examples");
            }
            int offset = Math.multiplyExact(rows, width);
            int needed = Math.addExact(offset, width);
            if (ints) {
                if (needed > intValues.length) {
                    intValues = Arrays.copyOf(intValues, grow(intValues.length, needed));
                }
            } else if (needed > floats.length) {
                floats = Arrays.copyOf(floats, grow(floats.length, needed));
            }
            for (int c = 0; c < width; c++) {
                String f = fields[c].strip();
                String where = "line " + lineNo + ", column " + (c + 1) + ": ";
                if (NON_FINITE.matcher(f).matches()) {
                    throw new DatasetFileException(
                            file,
                            where + "'" + f + "': the model takes finite numbers only"
                                    + " (NaN and infinite inputs are refused, not imputed)");
                }
                if (ints) {
                    if (!INTEGER.matcher(f).matches()) {
                        throw new DatasetFileException(file, where + "'" + shorten(f) + "' is not an integer");
                    }
                    long v = Long.parseLong(f);
                    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                        throw new DatasetFileException(file, where + f + " does not fit an int32");
                    }
                    intValues[offset + c] = (int) v;
                } else {
                    if (!DECIMAL.matcher(f).matches()) {
                        throw new DatasetFileException(file, where + "'" + shorten(f) + "' is not a number");
                    }
                    float v = Float.parseFloat(f);
                    if (!Float.isFinite(v)) {
                        throw new DatasetFileException(
                                file, where + f + " is beyond float32 (the model takes finite" + " numbers only)");
                    }
                    floats[offset + c] = v;
                }
            }
            rows++;
        }
        if (rows == 0) {
            throw new DatasetFileException(
                    file, "holds no examples (expected one line of " + width + " comma-separated values per example)");
        }
        int total = rows * width;
        int[] shape = batchShape(input, rows);
        return ints
                ? Tensor.of(Arrays.copyOf(intValues, total), shape)
                : Tensor.of(Arrays.copyOf(floats, total), shape);
    }

    private static int firstNonBlank(String text) {
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (!line.isBlank()) {
                return lineNo;
            }
        }
        return -1;
    }

    /**
     * A line none of whose fields is a number (or a NaN/infinity spelling): a row with a typo among numbers is a row,
     * refused at its field, never taken for a header.
     */
    private static boolean isHeader(String[] fields) {
        for (String f : fields) {
            String s = f.strip();
            if (DECIMAL.matcher(s).matches() || NON_FINITE.matcher(s).matches()) {
                return false;
            }
        }
        return true;
    }

    private static int grow(int length, int needed) {
        long next = Math.max((long) needed, (long) length * 2);
        return (int) Math.min(next, Integer.MAX_VALUE - 8);
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static int width(TensorType input) {
        int w = 1;
        for (int i = 1; i < input.rank(); i++) {
            w = Math.multiplyExact(w, input.shape()[i]);
        }
        return w;
    }

    private static int[] batchShape(TensorType input, int n) {
        int[] shape = input.shape().clone();
        shape[0] = n;
        return shape;
    }
}
