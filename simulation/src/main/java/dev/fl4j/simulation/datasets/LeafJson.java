package dev.fl4j.simulation.datasets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.fl4j.core.Type;
import dev.fl4j.simulation.data.ClientData;
import dev.fl4j.simulation.data.Dataset;
import dev.fl4j.simulation.data.Examples;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Federated datasets in LEAF's JSON layout (Caldas et al. 2018): each file is one object
 * <pre>{"users": [id, …], "num_samples": [n, …], "user_data": {id: {"x": [...], "y": [...]}, …}}</pre>
 * and a dataset may be split over several such files in one directory (all {@code *.json} files in
 * it are read, in name order; a user must appear in exactly one).
 *
 * <ul>
 *   <li>{@link #femnist}: {@code x} is a list of 784 pixel values per example (28×28, row-major,
 *       in [0, 1]); {@code y} the class ids 0..61. Elements {@code <x=float32[28,28,1], y=int32>}.</li>
 *   <li>{@link #shakespeare}: {@code x} is a list of equal-length strings (80 characters in LEAF),
 *       {@code y} the next character of each; characters become ids with
 *       {@link ShakespeareVocabulary}. Elements {@code <x=int32[80], y=int32>}.</li>
 * </ul>
 *
 * <p>Opening reads the files once with a streaming parser and remembers where each user's data
 * starts; a user's examples are parsed only when asked for, so memory holds the ids and offsets,
 * not the data. Files must not change while open.
 */
public final class LeafJson extends ClientData {

    private enum Kind {
        FEMNIST,
        SHAKESPEARE
    }

    private record Location(Path file, long offset, int numSamples) {}

    /** Rejects a key given twice in one object (a user in "user_data" twice would otherwise hide the first). */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    /** Initial capacity, in examples, of a user's columns; they grow with the data that actually comes. */
    private static final int INITIAL_EXAMPLES = 16;

    /** Opens a LEAF file's bytes: the file itself, or (for tests) content held in memory. */
    @FunctionalInterface
    interface Source {
        InputStream open(Path file) throws IOException;
    }

    private static final Source FILES = Files::newInputStream;

    private final Kind kind;
    private final Source source;
    private final List<String> ids;
    private final Map<String, Location> locations;
    private final int sequenceLength;

    private LeafJson(Kind kind, Source source, List<String> ids, Map<String, Location> locations, int sequenceLength) {
        this.kind = kind;
        this.source = source;
        this.ids = List.copyOf(ids);
        this.locations = locations;
        this.sequenceLength = sequenceLength;
    }

    /** FEMNIST from a LEAF JSON file or a directory of them. */
    public static LeafJson femnist(Path fileOrDir) {
        return open(Kind.FEMNIST, files(fileOrDir), fileOrDir, FILES);
    }

    /** Shakespeare from a LEAF JSON file or a directory of them. */
    public static LeafJson shakespeare(Path fileOrDir) {
        return open(Kind.SHAKESPEARE, files(fileOrDir), fileOrDir, FILES);
    }

    /** FEMNIST (or Shakespeare) from one file's content held in memory; {@code file} names it in errors. */
    static LeafJson fromContent(boolean femnist, Path file, byte[] content) {
        return open(
                femnist ? Kind.FEMNIST : Kind.SHAKESPEARE,
                List.of(file),
                file,
                f -> new java.io.ByteArrayInputStream(content));
    }

    private static LeafJson open(Kind kind, List<Path> files, Path fileOrDir, Source source) {
        List<String> ids = new ArrayList<>();
        Map<String, Location> locations = new HashMap<>();
        for (Path f : files) {
            for (Map.Entry<String, Location> e : index(f, source).entrySet()) {
                Location previous = locations.put(e.getKey(), e.getValue());
                if (previous != null) {
                    throw new DatasetFileException(f, "user '" + e.getKey() + "' also appears in " + previous.file());
                }
                ids.add(e.getKey());
            }
        }
        if (ids.isEmpty()) {
            throw new DatasetFileException(fileOrDir, "holds no users");
        }
        LeafJson leaf = new LeafJson(kind, source, ids, locations, 0);
        if (kind == Kind.SHAKESPEARE) {
            int length = leaf.parse(ids.get(0), locations.get(ids.get(0)), 0)
                    .column("x")
                    .width();
            return new LeafJson(kind, source, ids, locations, length);
        }
        return leaf;
    }

    private static List<Path> files(Path fileOrDir) {
        if (Files.isRegularFile(fileOrDir)) {
            return List.of(fileOrDir);
        }
        if (!Files.isDirectory(fileOrDir)) {
            throw new DatasetFileException(fileOrDir, "does not exist");
        }
        try (Stream<Path> s = Files.list(fileOrDir)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .toList();
            if (files.isEmpty()) {
                throw new DatasetFileException(fileOrDir, "holds no .json files (LEAF writes e.g. data/train/*.json)");
            }
            return files;
        } catch (IOException e) {
            throw new DatasetFileException(fileOrDir, "cannot be listed: " + e.getMessage(), e);
        }
    }

    /** One pass over a file: users, num_samples, and the byte offset of each user's data. */
    private static Map<String, Location> index(Path file, Source source) {
        List<String> users = null;
        List<Integer> counts = null;
        Map<String, Long> offsets = new LinkedHashMap<>();
        try (InputStream in = source.open(file);
                JsonParser p = JSON.createParser(in)) {
            expect(file, p, p.nextToken(), JsonToken.START_OBJECT, "the file's top level");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "users" -> {
                        expect(file, p, t, JsonToken.START_ARRAY, "\"users\"");
                        users = new ArrayList<>();
                        Set<String> seen = new HashSet<>();
                        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                            expect(file, p, t, JsonToken.VALUE_STRING, "\"users\"[" + users.size() + "]");
                            if (!seen.add(p.getText())) {
                                throw new DatasetFileException(
                                        file,
                                        "\"users\"[" + users.size() + "] lists user '" + p.getText()
                                                + "' a second time");
                            }
                            users.add(p.getText());
                        }
                    }
                    case "num_samples" -> {
                        expect(file, p, t, JsonToken.START_ARRAY, "\"num_samples\"");
                        counts = new ArrayList<>();
                        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                            expect(file, p, t, JsonToken.VALUE_NUMBER_INT, "\"num_samples\"[" + counts.size() + "]");
                            int count = p.getIntValue();
                            if (count < 0) {
                                throw new DatasetFileException(
                                        file, "\"num_samples\"[" + counts.size() + "] = " + count + " is negative");
                            }
                            counts.add(count);
                        }
                    }
                    case "user_data" -> {
                        expect(file, p, t, JsonToken.START_OBJECT, "\"user_data\"");
                        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                            String user = p.currentName();
                            t = p.nextToken();
                            expect(file, p, t, JsonToken.START_OBJECT, "\"user_data\".\"" + user + "\"");
                            offsets.put(user, p.currentTokenLocation().getByteOffset());
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            expect(file, p, p.currentToken(), JsonToken.END_OBJECT, "after the top-level object's fields");
            if (p.nextToken() != null) {
                throw new DatasetFileException(
                        file,
                        "has content after its top-level object (line "
                                + p.currentLocation().getLineNr() + ")");
            }
        } catch (JsonProcessingException e) {
            throw corrupt(file, e);
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot be read: " + e.getMessage(), e);
        }
        if (users == null || counts == null) {
            throw new DatasetFileException(
                    file,
                    "lacks " + (users == null ? "\"users\"" : "\"num_samples\"")
                            + " (LEAF layout: users, num_samples, user_data)");
        }
        if (users.size() != counts.size()) {
            throw new DatasetFileException(
                    file,
                    "\"users\" lists " + users.size() + " users but \"num_samples\" has " + counts.size() + " entries");
        }
        Map<String, Location> out = new LinkedHashMap<>();
        for (int i = 0; i < users.size(); i++) {
            Long offset = offsets.remove(users.get(i));
            if (offset == null) {
                throw new DatasetFileException(
                        file, "user '" + users.get(i) + "' is listed in \"users\" but has no entry in \"user_data\"");
            }
            out.put(users.get(i), new Location(file, offset, counts.get(i)));
        }
        if (!offsets.isEmpty()) {
            throw new DatasetFileException(
                    file, "\"user_data\" holds users not listed in \"users\": " + offsets.keySet());
        }
        return out;
    }

    private static void expect(Path file, JsonParser p, JsonToken actual, JsonToken expected, String what) {
        if (actual != expected) {
            throw new DatasetFileException(
                    file,
                    what + " should be " + describe(expected) + " but is " + describe(actual) + " (line "
                            + p.currentLocation().getLineNr() + ", column "
                            + p.currentLocation().getColumnNr() + ")");
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the file";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static DatasetFileException corrupt(Path file, JsonProcessingException e) {
        return new DatasetFileException(file, "corrupt JSON: " + e.getOriginalMessage() + where(e), e);
    }

    /** Where a JSON error is, if Jackson says (it does not for a broken read constraint such as the nesting depth). */
    static String where(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }

    @Override
    public List<String> clientIds() {
        return ids;
    }

    @Override
    public Type elementType() {
        return kind == Kind.FEMNIST
                ? Examples.of(new float[0], new int[] {28, 28, 1}, new int[0]).exampleType()
                : Examples.of(new int[0], new int[] {sequenceLength}, new int[0])
                        .exampleType();
    }

    /**
     * The example count LEAF's {@code num_samples} gives for {@code clientId}, as the file declares
     * it (not negative); reading the client's examples checks it against the data.
     */
    public int numSamples(String clientId) {
        return location(clientId).numSamples();
    }

    @Override
    public Dataset datasetFor(String clientId) {
        return Dataset.of(examplesFor(clientId));
    }

    /** Client {@code clientId}'s examples, parsed now. */
    public Examples examplesFor(String clientId) {
        return parse(clientId, location(clientId), sequenceLength);
    }

    private Location location(String clientId) {
        Location loc = locations.get(clientId);
        if (loc == null) {
            throw new IllegalArgumentException("no client '" + clientId + "' among " + ids.size() + " LEAF users");
        }
        return loc;
    }

    private Examples parse(String user, Location loc, int expectedLength) {
        Path file = loc.file();
        String where = "user_data.\"" + user + "\"";
        try (InputStream in = source.open(file)) {
            in.skipNBytes(loc.offset());
            try (JsonParser p = JSON.createParser(in)) {
                expect(file, p, p.nextToken(), JsonToken.START_OBJECT, where);
                Columns c = new Columns(kind, loc.numSamples(), expectedLength);
                boolean sawX = false;
                boolean sawY = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken t = p.nextToken();
                    if (field.equals("x")) {
                        expect(file, p, t, JsonToken.START_ARRAY, where + ".x");
                        c.readX(file, p, where + ".x");
                        sawX = true;
                    } else if (field.equals("y")) {
                        expect(file, p, t, JsonToken.START_ARRAY, where + ".y");
                        c.readY(file, p, where + ".y");
                        sawY = true;
                    } else {
                        p.skipChildren();
                    }
                }
                if (!sawX || !sawY) {
                    throw new DatasetFileException(file, where + " lacks \"" + (sawX ? "y" : "x") + "\"");
                }
                return c.build(file, where);
            }
        } catch (JsonProcessingException e) {
            throw corrupt(file, e);
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot read " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Growing primitive columns for one user's examples. They start small and grow with the values
     * that actually arrive; {@code num_samples} is only compared with the count at the end, so a
     * file cannot make the reader allocate for examples it does not hold.
     */
    private static final class Columns {
        private final Kind kind;
        private final int declared;
        private int sequenceLength;
        private float[] pixels;
        private int[] chars;
        private int xCount;
        private int xValues;
        private int[] y;
        private int yCount;

        Columns(Kind kind, int declared, int sequenceLength) {
            this.kind = kind;
            this.declared = declared;
            this.sequenceLength = sequenceLength;
            if (kind == Kind.FEMNIST) {
                pixels = new float[INITIAL_EXAMPLES * 784];
            } else {
                chars = new int[0];
            }
            y = new int[INITIAL_EXAMPLES];
        }

        /**
         * A capacity of at least {@code needed} (doubling), or an error naming the file if one array cannot hold it.
         */
        static int grown(Path file, String where, int capacity, long needed) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new DatasetFileException(
                        file,
                        where + ": more than " + (Integer.MAX_VALUE - 16)
                                + " values for one user, too many for one array");
            }
            return (int) Math.min(Integer.MAX_VALUE - 16, Math.max(needed, 2L * capacity));
        }

        void readX(Path file, JsonParser p, String where) throws IOException {
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                String item = where + "[" + xCount + "]";
                if (kind == Kind.FEMNIST) {
                    expect(file, p, t, JsonToken.START_ARRAY, item);
                    int start = xValues;
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                            expect(file, p, t, JsonToken.VALUE_NUMBER_FLOAT, item + "[" + (xValues - start) + "]");
                        }
                        if (xValues - start == 784) {
                            throw new DatasetFileException(
                                    file, item + " holds more than 784 pixel values (expected one 28×28 image)");
                        }
                        if (xValues == pixels.length) {
                            pixels = Arrays.copyOf(pixels, grown(file, item, pixels.length, xValues + 1L));
                        }
                        float v = p.getFloatValue();
                        if (!Float.isFinite(v)) {
                            throw new DatasetFileException(file, item + " holds a non-finite pixel value " + v);
                        }
                        pixels[xValues++] = v;
                    }
                    if (xValues - start != 784) {
                        throw new DatasetFileException(
                                file, item + " holds " + (xValues - start) + " pixel values, expected 784 (28×28)");
                    }
                } else {
                    expect(file, p, t, JsonToken.VALUE_STRING, item);
                    String s = p.getText();
                    if (sequenceLength == 0) {
                        if (s.isEmpty()) {
                            throw new DatasetFileException(
                                    file, item + " is an empty string, expected a window of characters");
                        }
                        sequenceLength = s.length();
                    }
                    if (s.length() != sequenceLength) {
                        throw new DatasetFileException(
                                file, item + " has " + s.length() + " characters, expected " + sequenceLength);
                    }
                    if ((long) xValues + sequenceLength > chars.length) {
                        chars = Arrays.copyOf(chars, grown(file, item, chars.length, (long) xValues + sequenceLength));
                    }
                    for (int i = 0; i < sequenceLength; i++) {
                        chars[xValues++] = ShakespeareVocabulary.id(s.charAt(i));
                    }
                }
                xCount++;
            }
        }

        void readY(Path file, JsonParser p, String where) throws IOException {
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                String item = where + "[" + yCount + "]";
                int label;
                if (kind == Kind.FEMNIST) {
                    expect(file, p, t, JsonToken.VALUE_NUMBER_INT, item);
                    label = p.getIntValue();
                    if (label < 0 || label > 61) {
                        throw new DatasetFileException(file, item + " = " + label + " is not a FEMNIST class (0..61)");
                    }
                } else {
                    expect(file, p, t, JsonToken.VALUE_STRING, item);
                    String s = p.getText();
                    if (s.length() != 1) {
                        throw new DatasetFileException(file, item + " is \"" + s + "\", expected one character");
                    }
                    label = ShakespeareVocabulary.id(s.charAt(0));
                }
                if (yCount == y.length) {
                    y = Arrays.copyOf(y, grown(file, item, y.length, yCount + 1L));
                }
                y[yCount++] = label;
            }
        }

        Examples build(Path file, String where) {
            if (xCount != yCount) {
                throw new DatasetFileException(
                        file, where + " has " + xCount + " x entries but " + yCount + " y entries");
            }
            if (xCount != declared) {
                throw new DatasetFileException(
                        file, where + " holds " + xCount + " examples but num_samples says " + declared);
            }
            int[] labels = Arrays.copyOf(y, yCount);
            if (kind == Kind.FEMNIST) {
                return Examples.of(Arrays.copyOf(pixels, xValues), new int[] {28, 28, 1}, labels);
            }
            if (xCount == 0) {
                throw new DatasetFileException(file, where + " holds no examples");
            }
            return Examples.of(Arrays.copyOf(chars, xValues), new int[] {sequenceLength}, labels);
        }
    }
}
