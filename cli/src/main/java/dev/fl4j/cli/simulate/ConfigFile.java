package dev.fl4j.cli.simulate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.reader.UnicodeReader;

/**
 * A settings file for {@code fl4j simulate}: one JSON object, or a YAML mapping (files ending in
 * {@code .yaml}/{@code .yml}), whose keys are the command's long option names without the dashes
 * and whose values are scalars, or lists of scalars for options that take several values:
 *
 * <pre>
 * dataset: fashion-mnist
 * partition: shards:2
 * clients: 100
 * clients-per-round: 10
 * aggregator: [mean, compression]
 * </pre>
 *
 * Each value reaches the option as the text written in the file, so the option parses it exactly
 * as it would on the command line. Options given on the command line override the file.
 *
 * <p>Rejected, with an error naming the file, the key and the line: an unknown key; a key given
 * twice (JSON and YAML readers differ on which one wins, so neither does); a nested object or list;
 * a null or missing value; and in YAML, a plain (unquoted) scalar whose meaning depends on the YAML
 * version or on a type conversion: YAML 1.1's booleans {@code yes}/{@code no}/{@code on}/{@code off}/
 * {@code y}/{@code n}, numbers in hexadecimal, octal or binary, with a leading zero, with
 * underscores or in base 60 ({@code 1:20}), and {@code .inf}/{@code .nan}. Those must be quoted
 * when text is meant, or written as {@code true}/{@code false} or a plain decimal number. Aliases,
 * tags other than {@code !!str} and several documents in one file are refused too.
 */
public final class ConfigFile {

    private static final JsonFactory JSON = new JsonFactory();

    private static final Pattern YAML12_BOOLEAN = Pattern.compile("true|True|TRUE|false|False|FALSE");
    private static final Pattern YAML_NULL = Pattern.compile("|~|null|Null|NULL");
    private static final Pattern YAML11_BOOLEAN = Pattern.compile("y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF");
    private static final Pattern YAML_SPECIAL_FLOAT = Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
    /** Decimal numbers that every YAML version reads as the same number, or as this very text. */
    private static final Pattern PLAIN_DECIMAL =
            Pattern.compile("[-+]?(0|[1-9][0-9]*)(\\.[0-9]*)?([eE][-+]?[0-9]+)?|[-+]?\\.[0-9]+([eE][-+]?[0-9]+)?");
    /**
     * The other scalars that YAML 1.1 or the YAML 1.2 core schema read as numbers: hexadecimal,
     * octal ({@code 0o17} in 1.2, {@code 017} in 1.1), binary, underscores, base 60, and 1.1's loose
     * floats such as {@code 1.2.3}. Each alternative reads its text one way only (no nested or
     * adjacent repetitions over the same characters), so matching stays linear in the length.
     */
    private static final Pattern OTHER_NUMBER = Pattern.compile(String.join(
            "|",
            "[-+]?0x[0-9a-fA-F_]+",
            "[-+]?0o[0-7]+",
            "[-+]?0b[01_]+",
            "[-+]?0[0-9_]+",
            "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?",
            "[-+]?[0-9][0-9_]*(\\.[0-9_.]*)?([eE][-+]?[0-9]+)?",
            "[-+]?\\.[0-9_.]*([eE][-+]?[0-9]+)?"));

    private static final String STR_TAG = "tag:yaml.org,2002:str";

    private ConfigFile() {}

    /** The settings of {@code file} as option name → text (lists joined with commas). */
    public static Map<String, String> read(Path file, Set<String> knownKeys) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UsageException("--config " + file + ": no such file");
        } catch (IOException e) {
            throw new UsageException("--config " + file + ": cannot be read: " + e.getMessage());
        }
        return parse(file, bytes, knownKeys);
    }

    /** The settings in {@code bytes}, the content of {@code file} (whose name says JSON or YAML). */
    static Map<String, String> parse(Path file, byte[] bytes, Set<String> knownKeys) {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        Settings settings = new Settings(file, knownKeys);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            readYaml(bytes, settings);
        } else {
            readJson(bytes, settings);
        }
        return settings.values;
    }

    /** Collects the settings; refuses unknown and repeated keys. */
    private static final class Settings {
        private final Path file;
        private final Set<String> knownKeys;
        private final Map<String, String> values = new LinkedHashMap<>();
        private final Map<String, Integer> lines = new LinkedHashMap<>();

        Settings(Path file, Set<String> knownKeys) {
            this.file = file;
            this.knownKeys = knownKeys;
        }

        UsageException error(String problem) {
            return new UsageException("--config " + file + ": " + problem);
        }

        /** Checks {@code key} (found on {@code line}) and returns it without a leading {@code --}. */
        String key(String written, int line) {
            String key = written.startsWith("--") ? written.substring(2) : written;
            if (!knownKeys.contains(key)) {
                throw error("unknown setting '" + written + "' (line " + line + "); valid settings: "
                        + String.join(", ", knownKeys.stream().sorted().toList()));
            }
            Integer first = lines.putIfAbsent(key, line);
            if (first != null) {
                throw error(
                        "'" + key + "' is given twice (lines " + first + " and " + line + "); give each setting once");
            }
            return key;
        }

        void put(String key, List<String> items) {
            values.put(key, String.join(",", items));
        }
    }

    private static void readJson(byte[] bytes, Settings s) {
        try (JsonParser p = JSON.createParser(bytes)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return;
            }
            if (t != JsonToken.START_OBJECT) {
                throw s.error(
                        "expected an object of option names to values, got " + describe(t) + " (line " + line(p) + ")");
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = s.key(p.currentName(), line(p));
                t = p.nextToken();
                List<String> items = new ArrayList<>();
                if (t == JsonToken.START_ARRAY) {
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        items.add(jsonScalar(s, p, t, key + "[" + items.size() + "]"));
                    }
                } else {
                    items.add(jsonScalar(s, p, t, key));
                }
                s.put(key, items);
            }
            if (p.nextToken() != null) {
                throw s.error("has content after its object (line " + line(p) + ")");
            }
        } catch (JsonProcessingException e) {
            throw s.error("not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null
                            ? " at line " + e.getLocation().getLineNr() + ", column "
                                    + e.getLocation().getColumnNr()
                            : ""));
        } catch (IOException e) {
            throw s.error("cannot be read: " + e.getMessage());
        }
    }

    private static String jsonScalar(Settings s, JsonParser p, JsonToken t, String where) throws IOException {
        return switch (t) {
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> p.getText();
            case VALUE_NULL ->
                throw s.error("'" + where + "' is null (line " + line(p) + "); give a value or leave the setting out");
            default ->
                throw s.error("'" + where + "' must be a "
                        + (where.endsWith("]") ? "plain value" : "value or a list of plain values") + ", not "
                        + describe(t) + " (line " + line(p) + ")");
        };
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            default -> String.valueOf(t.asString() != null ? t.asString() : t);
        };
    }

    private static void readYaml(byte[] bytes, Settings s) {
        LoaderOptions options = new LoaderOptions();
        try {
            // the event parser alone: a full org.yaml.snakeyaml.Yaml also builds constructors and resolvers this
            // reading never uses
            Parser events =
                    new ParserImpl(new StreamReader(new UnicodeReader(new ByteArrayInputStream(bytes))), options);
            expect(s, events.getEvent(), Event.ID.StreamStart);
            Event e = events.getEvent();
            if (e.is(Event.ID.StreamEnd)) {
                return;
            }
            expect(s, e, Event.ID.DocumentStart);
            e = events.getEvent();
            if (e.is(Event.ID.MappingStart)) {
                readYamlMapping(s, events);
            } else if (!(e instanceof ScalarEvent empty
                    && empty.isPlain()
                    && empty.getValue().isEmpty())) {
                throw s.error(
                        "expected a mapping of option names to values, got " + yamlKind(e) + " (line " + line(e) + ")");
            }
            expect(s, events.getEvent(), Event.ID.DocumentEnd);
            e = events.getEvent();
            if (!e.is(Event.ID.StreamEnd)) {
                throw s.error("holds more than one YAML document (the second starts on line " + line(e) + ")");
            }
        } catch (MarkedYAMLException e) {
            throw s.error("not valid YAML: " + e.getProblem()
                    + (e.getProblemMark() != null
                            ? " at line " + (e.getProblemMark().getLine() + 1) + ", column "
                                    + (e.getProblemMark().getColumn() + 1)
                            : ""));
        } catch (YAMLException e) {
            throw s.error("not valid YAML: " + e.getMessage());
        }
    }

    private static void readYamlMapping(Settings s, Parser events) {
        Event e;
        while (!(e = events.getEvent()).is(Event.ID.MappingEnd)) {
            if (!(e instanceof ScalarEvent k)) {
                throw s.error("keys must be option names, not " + yamlKind(e) + " (line " + line(e) + ")");
            }
            String key = s.key(k.getValue(), line(k));
            e = events.getEvent();
            List<String> items = new ArrayList<>();
            if (e.is(Event.ID.SequenceStart)) {
                while (!(e = events.getEvent()).is(Event.ID.SequenceEnd)) {
                    items.add(yamlScalar(s, e, key + "[" + items.size() + "]"));
                }
            } else {
                items.add(yamlScalar(s, e, key));
            }
            s.put(key, items);
        }
    }

    /**
     * The text of a scalar value: quoted scalars and plain ones that every YAML version reads as
     * this text (or as the number or boolean it spells) as they are; anything else is an error.
     */
    private static String yamlScalar(Settings s, Event e, String where) {
        if (!(e instanceof ScalarEvent v)) {
            throw s.error("'" + where + "' must be a "
                    + (where.endsWith("]") ? "plain value" : "value or a list of plain values") + ", not " + yamlKind(e)
                    + " (line " + line(e) + ")");
        }
        String text = v.getValue();
        String at = "'" + where + "' (line " + line(v) + "): ";
        if (v.getTag() != null) {
            if (!STR_TAG.equals(v.getTag())) {
                throw s.error(at + "the tag " + v.getTag()
                        + " is not supported; write the value plainly, or quote it for text");
            }
            return text;
        }
        if (!v.isPlain()) {
            return text;
        }
        if (YAML_NULL.matcher(text).matches()) {
            throw s.error(at + "has no value" + (text.isEmpty() ? "" : " (" + text + " is null)")
                    + "; give a value or leave the setting out");
        }
        if (YAML12_BOOLEAN.matcher(text).matches()) {
            return text.toLowerCase(Locale.ROOT);
        }
        if (YAML11_BOOLEAN.matcher(text).matches()) {
            throw s.error(at + text
                    + " is a boolean in YAML 1.1 but text in YAML 1.2; write true or false for a switch, or quote it ('"
                    + text + "') for text");
        }
        if (PLAIN_DECIMAL.matcher(text).matches()) {
            return text;
        }
        if (YAML_SPECIAL_FLOAT.matcher(text).matches()) {
            throw s.error(at + text + " is a YAML special number; quote it ('" + text + "') for text");
        }
        if (OTHER_NUMBER.matcher(text).matches()) {
            throw s.error(at + text
                    + " is read as a different number, or as text, depending on the YAML version (hexadecimal, octal,"
                    + " leading zero, underscores or base 60); write a plain decimal number, or quote it ('" + text
                    + "') for text");
        }
        return text;
    }

    private static void expect(Settings s, Event e, Event.ID id) {
        if (!e.is(id)) {
            throw s.error("expected " + id + " but found " + yamlKind(e) + " (line " + line(e) + ")");
        }
    }

    private static String yamlKind(Event e) {
        return switch (e.getEventId()) {
            case MappingStart -> "a mapping";
            case SequenceStart -> "a list";
            case Alias -> "an alias (aliases are not supported)";
            case Scalar -> "a value";
            default -> e.getEventId().toString();
        };
    }

    private static int line(Event e) {
        return e.getStartMark() == null ? 0 : e.getStartMark().getLine() + 1;
    }
}
