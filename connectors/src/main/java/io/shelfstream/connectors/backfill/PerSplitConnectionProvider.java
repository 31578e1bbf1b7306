package io.shelfstream.connectors.backfill;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link JdbcConnectionProvider} that gives every split its own connection, the workaround for FLINK-39206.
 *
 * <p>flink-connector-jdbc 4.0.0's {@code JdbcSource} hands one provider to every split reader of a subtask. The
 * stock provider keeps one connection and returns it to whoever asks, and a split reader closes "its" connection
 * when its fetcher shuts down; when a subtask gets more than one split, a reader that is done can close the
 * connection under the reader of the next split, which then fails with "This connection has been closed".
 *
 * <p>A split reader asks the provider for a connection once at the start of each split, from its fetcher thread.
 * This provider opens a fresh connection on every such call and remembers it per calling thread; the next call
 * from the same thread (the next split of that reader, whose previous result set and statement are already closed)
 * closes the previous one first. So no two splits, and no two fetchers, ever share a connection, and a thread holds
 * at most one open connection. {@link #closeConnection()} closes every connection still open.
 */
final class PerSplitConnectionProvider implements JdbcConnectionProvider {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PerSplitConnectionProvider.class);

    private final String url;
    private final Properties properties;

    private transient Map<Thread, Connection> connections;

    PerSplitConnectionProvider(String url, Properties properties) {
        this.url = url;
        this.properties = new Properties();
        this.properties.putAll(properties);
    }

    private synchronized Map<Thread, Connection> connections() {
        if (connections == null) {
            connections = new ConcurrentHashMap<>();
        }
        return connections;
    }

    @Override
    public Connection getConnection() {
        return connections().get(Thread.currentThread());
    }

    @Override
    public Properties getProperties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    @Override
    public boolean isConnectionValid() throws SQLException {
        Connection connection = getConnection();
        return connection != null && connection.isValid(5);
    }

    /** Opens a new connection for the calling thread's next split, closing the one its previous split used. */
    @Override
    public Connection getOrEstablishConnection() throws SQLException {
        Map<Thread, Connection> byThread = connections();
        closeQuietly(byThread.remove(Thread.currentThread()));
        // Threads of fetchers that have shut down closed their connections; forget them.
        byThread.entrySet().removeIf(e -> !e.getKey().isAlive() || isClosed(e.getValue()));
        Connection connection = DriverManager.getConnection(url, properties);
        byThread.put(Thread.currentThread(), connection);
        return connection;
    }

    @Override
    public void closeConnection() {
        Map<Thread, Connection> byThread = connections();
        byThread.values().forEach(PerSplitConnectionProvider::closeQuietly);
        byThread.clear();
    }

    @Override
    public Connection reestablishConnection() throws SQLException {
        return getOrEstablishConnection();
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("Could not close a catalog backfill connection", e);
        }
    }
}
