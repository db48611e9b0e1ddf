package dev.fl4j.learning.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;

/** The JSON mapper shared by the learning module's versioned spec formats (snake_case keys). */
public final class Json {

    /**
     * Strict reading: a key given twice is an error (Jackson would keep the last one silently), and
     * Jackson's read constraints (nesting depth 1000, number and string lengths) bound what a document
     * can make the reader do. Types are not coerced: {@code "32"} or {@code 32.5} for an integer,
     * {@code "true"} or {@code 1} for a flag, a number for a string and {@code null} for a number are
     * errors naming the field (an integer for a float field is JSON's own spelling and is read); so is
     * anything after the document.
     */
    private static final ObjectMapper MAPPER = strictMapper();

    private static ObjectMapper strictMapper() {
        ObjectMapper m = JsonMapper.builder(JsonFactory.builder()
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build())
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .build();
        for (LogicalType t : new LogicalType[] {LogicalType.Textual, LogicalType.Boolean, LogicalType.Enum}) {
            for (CoercionInputShape shape : new CoercionInputShape[] {
                CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean
            }) {
                m.coercionConfigFor(t).setCoercion(shape, CoercionAction.Fail);
            }
        }
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return m;
    }

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Writes {@code body} as a JSON object preceded by {@code format} and {@code version} fields. */
    public static String write(String format, int version, Object body) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", format);
        root.put("version", version);
        root.setAll((ObjectNode) MAPPER.valueToTree(body));
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + format + ": " + e.getMessage(), e);
        }
    }

    private static String pathOf(com.fasterxml.jackson.databind.JsonMappingException m) {
        StringBuilder sb = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /**
     * Jackson's message without its advice on reader settings, which a user cannot change: a missing
     * field says so plainly, and hints such as "(but might if coercion ... was enabled)" are dropped.
     */
    private static String readable(String message) {
        if (message == null) {
            return "unreadable value";
        }
        java.util.regex.Matcher missing = java.util.regex.Pattern.compile(
                        "^Missing creator property '([^']*)'.*", java.util.regex.Pattern.DOTALL)
                .matcher(message);
        if (missing.matches()) {
            return "missing field '" + missing.group(1) + "'";
        }
        return message.replaceAll(" \\((but (might|could) if coercion|set DeserializationConfig)[^)]*\\)+", "");
    }

    /**
     * Reads a document written by {@link #write}: checks the format name and that the version is one
     * this code reads, then binds the remaining fields to {@code type}.
     */
    public static <T> T read(String json, String format, int version, Class<T> type) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid " + format + " document: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object holding a " + format + " document");
        }
        JsonNode f = root.get("format");
        if (f == null || !format.equals(f.asText())) {
            throw new IllegalArgumentException("expected format '" + format + "' but got "
                    + (f == null ? "no format field" : "'" + f.asText() + "'"));
        }
        JsonNode v = root.get("version");
        if (v == null || !v.isInt() || v.asInt() != version) {
            throw new IllegalArgumentException(format + ": expected version " + version + " but got "
                    + (v == null ? "no version field" : v.toString()));
        }
        ObjectNode body = ((ObjectNode) root).deepCopy();
        body.remove("format");
        body.remove("version");
        try {
            return MAPPER.treeToValue(body, type);
        } catch (JsonProcessingException e) {
            String at = e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                            && !m.getPath().isEmpty()
                    ? " (at " + pathOf(m) + ")"
                    : "";
            String why = e instanceof ValueInstantiationException vi && vi.getCause() != null
                    ? vi.getCause().getMessage()
                    : e.getOriginalMessage();
            throw new IllegalArgumentException(
                    "invalid " + format + " version " + version + at + ": " + readable(why), e);
        }
    }
}
