package dev.fl4j.deploy.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The client public keys a server admits, by client id ({@link ClientKey#idOf}); immutable.
 *
 * <p>File format ({@code authorized_keys}), one client a line, like OpenSSH's:
 *
 * <pre>
 * # comment
 * ed25519 BASE64-OF-X509-PUBLIC-KEY [label]
 * </pre>
 *
 * The label (optional, {@code [A-Za-z0-9._-]}, at most 64 characters) is a human name for logs; the client id is always
 * computed from the key, never read from the file, so an edited file cannot give one key another client's id. A key
 * listed twice or a malformed line is refused naming the line.
 */
public final class AuthorizedKeys {

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String HEADER = "# fl4j authorized client keys: \"ed25519 BASE64-X509-PUBLIC-KEY [label]\" a"
            + " line; a client's id is the hex SHA-256 of its key's X.509 encoding\n";

    private final Map<String, PublicKey> keys;
    private final Map<String, String> labels;
    private final Map<String, String> idInstances = new HashMap<>();

    private AuthorizedKeys(Map<String, PublicKey> keys, Map<String, String> labels) {
        this.keys = Collections.unmodifiableMap(keys);
        this.labels = Collections.unmodifiableMap(labels);
        keys.keySet().forEach(id -> idInstances.put(id, id));
    }

    /** The given Ed25519 public keys, unlabelled. */
    public static AuthorizedKeys of(Iterable<PublicKey> publicKeys) {
        Builder b = new Builder();
        for (PublicKey k : publicKeys) {
            b.add(k, null, "key " + ClientKey.idOf(k));
        }
        return b.build();
    }

    /** The given Ed25519 public keys with their labels (a label may be null). */
    public static AuthorizedKeys ofLabelled(Map<PublicKey, String> labelledKeys) {
        Builder b = new Builder();
        labelledKeys.forEach((k, label) -> b.add(k, label, "key " + ClientKey.idOf(k)));
        return b.build();
    }

    /** Reads an {@code authorized_keys} file. */
    public static AuthorizedKeys read(Path file) throws IOException {
        try {
            return parse(Pem.readText(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the text of an {@code authorized_keys} file; errors name the line. */
    public static AuthorizedKeys parse(String text) {
        Builder b = new Builder();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "line " + (i + 1);
            String[] fields = line.split("\\s+");
            if (fields.length < 2 || fields.length > 3) {
                throw new IllegalArgumentException(
                        where + ": expected \"ed25519 BASE64-KEY [label]\", got " + fields.length + " fields");
            }
            if (!fields[0].equals("ed25519")) {
                throw new IllegalArgumentException(where + ": key type must be ed25519, got \"" + fields[0] + "\"");
            }
            PublicKey key;
            try {
                key = ClientKey.publicKeyFromX509(Base64.getDecoder().decode(fields[1]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            b.add(key, fields.length == 3 ? fields[2] : null, where);
        }
        return b.build();
    }

    /** The file text {@link #parse} reads back. */
    public String format() {
        StringBuilder out = new StringBuilder(HEADER);
        keys.forEach((id, key) -> {
            out.append("ed25519 ").append(Base64.getEncoder().encodeToString(key.getEncoded()));
            String label = labels.get(id);
            if (label != null) {
                out.append(' ').append(label);
            }
            out.append('\n');
        });
        return out.toString();
    }

    /** Writes {@link #format()} to a new file. */
    public void write(Path file) throws IOException {
        Files.writeString(file, format(), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
    }

    /** The public key of client {@code clientId}, if it is authorized. */
    public Optional<PublicKey> publicKey(String clientId) {
        return Optional.ofNullable(keys.get(clientId));
    }

    /** The one String instance of an authorized id, so per-request records share it; null if not authorized. */
    String sharedId(String clientId) {
        return idInstances.get(clientId);
    }

    /** Whether {@code clientId} is authorized. */
    public boolean contains(String clientId) {
        return keys.containsKey(clientId);
    }

    /** The label the file gave client {@code clientId}, if any. */
    public Optional<String> label(String clientId) {
        return Optional.ofNullable(labels.get(clientId));
    }

    /** The authorized client ids, in file order. */
    public Set<String> ids() {
        return keys.keySet();
    }

    public int size() {
        return keys.size();
    }

    private static final class Builder {
        private final Map<String, PublicKey> keys = new LinkedHashMap<>();
        private final Map<String, String> labels = new LinkedHashMap<>();

        void add(PublicKey key, String label, String where) {
            Objects.requireNonNull(key, "key");
            try {
                key = ClientKey.publicKeyFromX509(key.getEncoded()); // refuses Ed448 and every other algorithm
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": a client key must be Ed25519: " + e.getMessage(), e);
            }
            String id = ClientKey.idOf(key);
            if (keys.containsKey(id)) {
                throw new IllegalArgumentException(where + ": key of client " + id + " is listed twice");
            }
            if (label != null && !LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException(
                        where + ": label \"" + label + "\" must be 1 to 64 of [A-Za-z0-9._-]");
            }
            keys.put(id, key);
            if (label != null) {
                labels.put(id, label);
            }
        }

        AuthorizedKeys build() {
            return new AuthorizedKeys(keys, labels);
        }
    }
}
