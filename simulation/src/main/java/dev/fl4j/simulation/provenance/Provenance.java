package dev.fl4j.simulation.provenance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.fl4j.core.io.MalformedDataException;
import dev.fl4j.simulation.checkpoint.RunConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * What produced an artefact fl4j writes (checkpoint, CSV, JSON lines, TensorBoard event file, PNG chart): the fl4j
 * version and the git commit it was built from, the run's full configuration (the same {@link RunConfig} whose
 * fingerprint guards resume), the run seed, the JDK, the model engine with its library version, and when it was
 * written. Every artefact stores it as one line of ASCII JSON ({@link #toJson()}):
 *
 * <pre>{"fl4j_version":"0.1.0","fl4j_commit":"8d07de2…","seed":7,"jdk":"17.0.9 (Eclipse Adoptium)",
 * "engine":"tensorflow 2.16.2","written":"2026-12-01T13:05:00.123Z","config":{"aggregator":"mean",…}}</pre>
 *
 * <p>The version and commit come from {@code fl4j-version.properties}, filled in by the Maven build; a build from a
 * source tree without git reports the commit as {@value #UNKNOWN}, and a commit built with uncommitted changes ends in
 * {@code -dirty}. {@link #fromJson} reads the line back from untrusted files: it is bounded ({@value #MAX_JSON_CHARS}
 * characters, {@value #MAX_SETTINGS} settings) and rejects anything else with a {@link MalformedDataException} naming
 * the field.
 *
 * @param fl4jVersion the fl4j (Maven project) version
 * @param fl4jCommit  the git commit fl4j was built from, {@value #UNKNOWN} if the build had none
 * @param config      the run configuration
 * @param seed        the run seed
 * @param jdk         the Java runtime version and vendor
 * @param engine      the model engine and its library version ({@link dev.fl4j.learning.model.ModelEngine#version()})
 * @param written     when the artefact was started
 */
public record Provenance(
        String fl4jVersion,
        String fl4jCommit,
        RunConfig config,
        long seed,
        String jdk,
        String engine,
        Instant written) {

    /** The value of a build fact that was not available when fl4j was built. */
    public static final String UNKNOWN = "unknown";
    /** The longest provenance line read back. */
    public static final int MAX_JSON_CHARS = 1 << 16;
    /** The most configuration settings read back. */
    public static final int MAX_SETTINGS = 1024;

    private static final JsonFactory JSON =
            JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final Build BUILD = Build.load();

    public Provenance {
        Objects.requireNonNull(fl4jVersion, "fl4jVersion");
        Objects.requireNonNull(fl4jCommit, "fl4jCommit");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(jdk, "jdk");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(written, "written");
    }

    /** The provenance of a run in this JVM now: this fl4j build, this JDK, {@code engine} (name and version). */
    public static Provenance current(RunConfig config, long seed, String engine) {
        return new Provenance(
                BUILD.version(),
                BUILD.commit(),
                config,
                seed,
                javaRuntime(),
                engine,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    /** The fl4j version of this build. */
    public static String fl4jBuildVersion() {
        return BUILD.version();
    }

    /** The git commit of this build ({@value #UNKNOWN} if it had none). */
    public static String fl4jBuildCommit() {
        return BUILD.commit();
    }

    private static String javaRuntime() {
        return Runtime.version() + " (" + System.getProperty("java.vendor", UNKNOWN) + ")";
    }

    /**
     * One line of JSON with every character outside ASCII escaped, so it fits a CSV comment or a PNG {@code tEXt}
     * chunk.
     */
    public String toJson() {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("fl4j_version", fl4jVersion);
            g.writeStringField("fl4j_commit", fl4jCommit);
            g.writeNumberField("seed", seed);
            g.writeStringField("jdk", jdk);
            g.writeStringField("engine", engine);
            g.writeStringField("written", written.toString());
            g.writeObjectFieldStart("config");
            for (var e : config.settings().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Reads {@link #toJson()}. Fields this version does not know are skipped (a newer fl4j may add some); each known
     * field must come once with its type.
     *
     * @throws MalformedDataException if {@code json} is longer than {@value #MAX_JSON_CHARS} characters, is not one
     *                                JSON object, misses a field or holds one of the wrong type
     */
    public static Provenance fromJson(String json) {
        if (json.length() > MAX_JSON_CHARS) {
            throw new MalformedDataException(
                    "provenance is " + json.length() + " characters, more than the " + MAX_JSON_CHARS + " allowed");
        }
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "the provenance");
            String version = null;
            String commit = null;
            String jdk = null;
            String engine = null;
            String written = null;
            Long seed = null;
            TreeMap<String, String> config = null;
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!seen.add(field)) {
                    throw new MalformedDataException("provenance field '" + field + "' appears twice");
                }
                switch (field) {
                    case "fl4j_version" -> version = text(p, value, field);
                    case "fl4j_commit" -> commit = text(p, value, field);
                    case "jdk" -> jdk = text(p, value, field);
                    case "engine" -> engine = text(p, value, field);
                    case "written" -> written = text(p, value, field);
                    case "seed" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT
                                || p.getNumberType() != JsonParser.NumberType.INT
                                        && p.getNumberType() != JsonParser.NumberType.LONG) {
                            throw new MalformedDataException("provenance field 'seed' is " + value
                                    + ", expected an integer in the range of a long");
                        }
                        seed = p.getLongValue();
                    }
                    case "config" -> config = settings(p, value);
                    default -> p.skipChildren();
                }
            }
            expect(p.currentToken(), JsonToken.END_OBJECT, "the end of the provenance object");
            if (p.nextToken() != null) {
                throw new MalformedDataException("provenance has content after its object at offset "
                        + p.currentLocation().getCharOffset());
            }
            Instant when;
            try {
                when = Instant.parse(require(written, "written"));
            } catch (DateTimeParseException e) {
                throw new MalformedDataException(
                        "provenance field 'written' is '" + written + "', expected an ISO-8601 instant", e);
            }
            RunConfig runConfig;
            try {
                runConfig = new RunConfig(require(config, "config"));
            } catch (IllegalArgumentException e) {
                throw new MalformedDataException("provenance field 'config': " + e.getMessage(), e);
            }
            return new Provenance(
                    require(version, "fl4j_version"),
                    require(commit, "fl4j_commit"),
                    runConfig,
                    require(seed, "seed"),
                    require(jdk, "jdk"),
                    require(engine, "engine"),
                    when);
        } catch (IOException e) {
            throw new MalformedDataException("provenance is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static TreeMap<String, String> settings(JsonParser p, JsonToken value) throws IOException {
        expect(value, JsonToken.START_OBJECT, "provenance field 'config'");
        TreeMap<String, String> settings = new TreeMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            String v = text(p, p.nextToken(), "config/" + key);
            if (settings.put(key, v) != null) {
                throw new MalformedDataException("provenance setting 'config/" + key + "' appears twice");
            }
            if (settings.size() > MAX_SETTINGS) {
                throw new MalformedDataException("provenance has more than " + MAX_SETTINGS + " settings");
            }
        }
        expect(p.currentToken(), JsonToken.END_OBJECT, "the end of provenance field 'config'");
        return settings;
    }

    private static void expect(JsonToken actual, JsonToken expected, String what) {
        if (actual != expected) {
            throw new MalformedDataException(what + " is " + actual + ", expected " + expected);
        }
    }

    private static String text(JsonParser p, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new MalformedDataException("provenance field '" + field + "' is " + value + ", expected a string");
        }
        return p.getText();
    }

    private static <T> T require(T value, String field) {
        if (value == null) {
            throw new MalformedDataException("provenance has no field '" + field + "'");
        }
        return value;
    }

    /** A readable account, one fact per line, the configuration last with one setting per line. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "fl4j:     %s (commit %s)%n", fl4jVersion, fl4jCommit));
        sb.append(String.format(Locale.ROOT, "written:  %s%n", written));
        sb.append(String.format(Locale.ROOT, "seed:     %d%n", seed));
        sb.append(String.format(Locale.ROOT, "jdk:      %s%n", jdk));
        sb.append(String.format(Locale.ROOT, "engine:   %s%n", engine));
        sb.append(String.format(
                Locale.ROOT,
                "config:   %d settings, fingerprint %s%n",
                config.settings().size(),
                config.fingerprint()));
        config.settings().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s = %s%n", k, v)));
        return sb.toString();
    }

    /**
     * The build facts in {@code fl4j-version.properties}; a value Maven did not fill in (no git) is {@value #UNKNOWN}.
     */
    private record Build(String version, String commit) {

        static Build load() {
            Properties p = new Properties();
            try (InputStream in = Provenance.class.getResourceAsStream("fl4j-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot read fl4j-version.properties from the fl4j jar: " + e.getMessage(), e);
            }
            String commit = filled(p.getProperty("commit"));
            if (!commit.equals(UNKNOWN) && "true".equals(p.getProperty("dirty"))) {
                commit += "-dirty";
            }
            return new Build(filled(p.getProperty("version")), commit);
        }

        private static String filled(String value) {
            return value == null || value.isBlank() || value.contains("${") ? UNKNOWN : value.trim();
        }
    }
}
