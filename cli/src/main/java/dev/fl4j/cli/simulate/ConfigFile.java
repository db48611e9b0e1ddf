package dev.fl4j.cli.simulate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A settings file for {@code fl4j simulate}: one JSON object, or a YAML mapping (files ending in
 * {@code .yaml}/{@code .yml}), whose keys are the command's long option names without the dashes
 * and whose values are scalars, or lists for options that take several values:
 *
 * <pre>
 * dataset: fashion-mnist
 * partition: shards:2
 * clients: 100
 * clients-per-round: 10
 * aggregator: [mean, compression]
 * </pre>
 *
 * Options given on the command line override the file. An unknown key, a nested object, or a
 * value of the wrong type is an error naming the file and the key.
 */
public final class ConfigFile {

    private ConfigFile() {
    }

    /** The settings of {@code file} as option name → text (lists joined with commas). */
    public static Map<String, String> read(Path file, Set<String> knownKeys) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        ObjectMapper mapper = yaml ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper();
        JsonNode root;
        try {
            root = mapper.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new UsageException("--config " + file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new UsageException("--config " + file + ": not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() : ""));
        } catch (IOException e) {
            throw new UsageException("--config " + file + ": cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return Map.of();
        }
        if (!root.isObject()) {
            throw new UsageException("--config " + file + ": expected an object of option names to values, got " + root.getNodeType());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.startsWith("--")) {
                key = key.substring(2);
            }
            if (!knownKeys.contains(key)) {
                throw new UsageException("--config " + file + ": unknown setting '" + e.getKey() + "'; valid settings: "
                        + String.join(", ", knownKeys.stream().sorted().toList()));
            }
            out.put(key, text(file, key, e.getValue()));
        }
        return out;
    }

    private static String text(Path file, String key, JsonNode v) {
        if (v.isValueNode()) {
            return v.asText();
        }
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : v) {
                if (!item.isValueNode()) {
                    throw new UsageException("--config " + file + ": '" + key + "' must be a list of plain values");
                }
                items.add(item.asText());
            }
            return String.join(",", items);
        }
        throw new UsageException("--config " + file + ": '" + key + "' must be a value or a list, not an object");
    }
}
