package dev.fl4j.deploy.server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's durable state in an embedded SQLite database (JDBC, {@code org.xerial:sqlite-jdbc}):
 * the registered clients, every round attempt with its outcome, which clients took part in each
 * completed round, and the bytes the protocol has sent and received so far (updated with every
 * attempt, so a restarted server's wire counts continue from the last attempt recorded). Kept next to
 * the model checkpoints, so a restarted server knows its clients and where the run stands. Schema
 * version {@value #SCHEMA_VERSION}; a database of another version is refused.
 */
public final class ServerStore implements AutoCloseable {

    /** The schema this build writes and reads. */
    public static final int SCHEMA_VERSION = 1;

    private final Connection connection;
    private final Path file;

    private ServerStore(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
    }

    /** Opens (creating if needed) the database at {@code file}. */
    public static ServerStore open(Path file) {
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS clients (id TEXT PRIMARY KEY, registered_at INTEGER NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS rounds (round INTEGER NOT NULL, attempt INTEGER NOT NULL,"
                        + " selected INTEGER NOT NULL, reported INTEGER NOT NULL, outcome TEXT NOT NULL,"
                        + " finished_at INTEGER NOT NULL, PRIMARY KEY (round, attempt))");
                s.execute("CREATE TABLE IF NOT EXISTS participation (round INTEGER NOT NULL, client_id TEXT NOT NULL,"
                        + " PRIMARY KEY (round, client_id))");
                s.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', '" + SCHEMA_VERSION + "')");
            }
            ServerStore store = new ServerStore(c, file);
            String version = store.meta("schema_version");
            if (!String.valueOf(SCHEMA_VERSION).equals(version)) {
                c.close();
                throw new IllegalStateException("server database " + file + " has schema version " + version
                        + ", this server reads version " + SCHEMA_VERSION);
            }
            return store;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the server database " + file + ": " + e.getMessage(), e);
        }
    }

    private String meta(String key) throws SQLException {
        try (PreparedStatement p = connection.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    synchronized void registerClient(String id) {
        update("INSERT OR IGNORE INTO clients VALUES (?, ?)", id, System.currentTimeMillis());
    }

    /** Registered client ids, in the order they first registered. */
    public synchronized List<String> clients() {
        List<String> ids = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT id FROM clients ORDER BY registered_at, id")) {
            while (r.next()) {
                ids.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw failure("read clients", e);
        }
        return ids;
    }

    /**
     * Records one attempt at {@code round}; a completed one ({@code outcome} "completed") also records
     * who took part, and the wire counts so far, in the same transaction.
     */
    synchronized void recordAttempt(
            int round, int attempt, int selected, List<String> reported, String outcome, WireStats wire) {
        try {
            connection.setAutoCommit(false);
            update("INSERT OR REPLACE INTO meta VALUES (?, ?)", WIRE_SENT, String.valueOf(wire.sentBytes()));
            update("INSERT OR REPLACE INTO meta VALUES (?, ?)", WIRE_RECEIVED, String.valueOf(wire.receivedBytes()));
            update(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    ARGUMENTS_SHARED,
                    String.valueOf(wire.argumentBytesShared()));
            update(
                    "INSERT OR REPLACE INTO rounds VALUES (?, ?, ?, ?, ?, ?)",
                    round,
                    attempt,
                    selected,
                    reported.size(),
                    outcome,
                    System.currentTimeMillis());
            if (outcome.equals(COMPLETED)) {
                for (String id : reported) {
                    update("INSERT OR IGNORE INTO participation VALUES (?, ?)", round, id);
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the original failure is the one to report
            }
            throw e instanceof RuntimeException r ? r : failure("record round " + round, (SQLException) e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // next statement reports a broken connection
            }
        }
    }

    static final String COMPLETED = "completed";

    private static final String WIRE_SENT = "wire_sent_bytes";
    private static final String WIRE_RECEIVED = "wire_received_bytes";
    private static final String ARGUMENTS_SHARED = "argument_bytes_shared";

    /** Bytes sent to clients as of the last recorded attempt (0 if none). */
    public synchronized long wireSentBytes() {
        return metaLong(WIRE_SENT);
    }

    /** Bytes received from clients as of the last recorded attempt (0 if none). */
    public synchronized long wireReceivedBytes() {
        return metaLong(WIRE_RECEIVED);
    }

    /** Argument bytes the clients took from their hosts' copies, as of the last recorded attempt (0 if none). */
    public synchronized long argumentBytesShared() {
        return metaLong(ARGUMENTS_SHARED);
    }

    private long metaLong(String key) {
        try {
            String v = meta(key);
            return v == null ? 0 : Long.parseLong(v);
        } catch (SQLException e) {
            throw failure("read " + key, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(
                    "server database " + file + ": " + key + " is not a count: " + e.getMessage());
        }
    }

    /** The highest completed round, 0 if none. */
    public synchronized int lastCompletedRound() {
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT MAX(round) FROM rounds WHERE outcome = '" + COMPLETED + "'")) {
            return r.next() ? r.getInt(1) : 0;
        } catch (SQLException e) {
            throw failure("read rounds", e);
        }
    }

    /** The clients that took part in {@code round}, in natural order. */
    public synchronized List<String> participants(int round) {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement p = connection.prepareStatement("SELECT client_id FROM participation WHERE round = ?")) {
            p.setInt(1, round);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
        } catch (SQLException e) {
            throw failure("read participation", e);
        }
        ids.sort(NaturalOrder.INSTANCE);
        return ids;
    }

    /** Every attempt's outcome for {@code round}, in attempt order. */
    public synchronized List<String> outcomes(int round) {
        List<String> out = new ArrayList<>();
        try (PreparedStatement p =
                connection.prepareStatement("SELECT outcome FROM rounds WHERE round = ? ORDER BY attempt")) {
            p.setInt(1, round);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        } catch (SQLException e) {
            throw failure("read rounds", e);
        }
        return out;
    }

    private void update(String sql, Object... args) {
        try (PreparedStatement p = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            p.executeUpdate();
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    private IllegalStateException failure(String what, SQLException e) {
        return new IllegalStateException("server database " + file + ": " + what + " failed: " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }
}
