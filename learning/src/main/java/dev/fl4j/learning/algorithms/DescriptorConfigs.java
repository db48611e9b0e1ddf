package dev.fl4j.learning.algorithms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/** Reading the JSON config of a client computation's descriptor, checked for its format and version 1. */
final class DescriptorConfigs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DescriptorConfigs() {}

    /**
     * {@code config} parsed, if it is JSON whose {@code format} is {@code format} and whose
     * {@code version} is 1.
     *
     * @param what what the config describes, for the error message ("client training")
     * @throws UncheckedIOException if it is not JSON
     * @throws IllegalArgumentException if it has another format or version
     */
    static JsonNode read(String config, String format, String what) {
        JsonNode c;
        try {
            c = JSON.readTree(config);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(what + " config is not JSON", e);
        }
        if (!format.equals(c.path("format").asText()) || c.path("version").asInt() != 1) {
            throw new IllegalArgumentException("not an " + format + " version 1 config: " + config);
        }
        return c;
    }
}
