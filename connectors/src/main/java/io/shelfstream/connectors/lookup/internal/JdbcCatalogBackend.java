package io.shelfstream.connectors.lookup.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.postgresql.util.PGobject;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.CatalogTable;
import io.shelfstream.connectors.lookup.JdbcEnrichmentOptions;

/**
 * Reads catalog rows from PostgreSQL over a HikariCP pool: one {@code SELECT ... WHERE id = ANY(?)} per batch.
 *
 * <p>The pool is read-only and auto-committing, and makes its connections in the background
 * ({@code initializationFailTimeout = -1}): creating the backend never touches the database, so the task thread that
 * opens the function never waits on JDBC, and a database that is down at start-up shows as failed (and retried)
 * lookups rather than a failed open. Each query carries a statement timeout of the lookup timeout.
 */
public final class JdbcCatalogBackend implements CatalogBackend {

    private final HikariDataSource dataSource;
    private final String sql;
    private final String idSqlType;
    private final List<String> fields;
    private final int queryTimeoutSeconds;

    private JdbcCatalogBackend(HikariDataSource dataSource, CatalogTable table, Duration timeout) {
        this.dataSource = dataSource;
        this.sql = table.selectSql();
        this.idSqlType = table.idSqlType();
        this.fields = new ArrayList<>(table.fields().keySet());
        this.queryTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (timeout.toMillis() + 999) / 1000));
    }

    /**
     * Returns the factory of this backend, the default of
     * {@link io.shelfstream.connectors.lookup.JdbcEnrichmentFunction}.
     *
     * @return a serializable factory
     */
    public static CatalogBackendFactory factory() {
        return JdbcCatalogBackend::create;
    }

    /**
     * Creates a backend with its own pool; connects in the background.
     *
     * @param table   the table mapping
     * @param options connection settings
     * @param name    the pool name
     * @return the backend
     */
    public static JdbcCatalogBackend create(CatalogTable table, JdbcEnrichmentOptions options, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(options.jdbcUrl());
        if (options.jdbcUrl().startsWith("jdbc:postgresql:")) {
            // explicit, so the driver is found even when DriverManager cannot see the job's class loader
            config.setDriverClassName("org.postgresql.Driver");
        }
        if (options.username() != null) {
            config.setUsername(options.username());
        }
        if (options.password() != null) {
            config.setPassword(options.password());
        }
        config.setPoolName(name);
        config.setMaximumPoolSize(options.poolSize());
        config.setConnectionTimeout(options.connectionTimeout().toMillis());
        config.setValidationTimeout(Math.max(250, Math.min(5_000, options.connectionTimeout().toMillis() / 2)));
        config.setInitializationFailTimeout(-1);
        config.setReadOnly(true);
        config.setAutoCommit(true);
        return new JdbcCatalogBackend(new HikariDataSource(config), table, options.timeout());
    }

    @Override
    public Map<String, CatalogRow> fetch(List<String> ids) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setQueryTimeout(queryTimeoutSeconds);
            Array idArray = connection.createArrayOf(idSqlType, ids.toArray());
            try {
                statement.setArray(1, idArray);
                try (ResultSet rs = statement.executeQuery()) {
                    Map<String, CatalogRow> rows = new HashMap<>(ids.size() * 2);
                    while (rs.next()) {
                        String id = rs.getString(1);
                        if (id == null || rows.containsKey(id)) {
                            continue;
                        }
                        Map<String, Object> values = new LinkedHashMap<>();
                        for (int i = 0; i < fields.size(); i++) {
                            values.put(fields.get(i), convert(rs.getObject(i + 2)));
                        }
                        rows.put(id, new CatalogRow(id, values));
                    }
                    return rows;
                }
            } finally {
                idArray.free();
            }
        }
    }

    /**
     * Converts a value as the PostgreSQL driver returns it into the form {@link CatalogRow} documents: SQL arrays
     * become unmodifiable lists, timestamps {@link java.time.Instant}s, dates {@link java.time.LocalDate}s.
     */
    public static Object convert(Object value) throws SQLException {
        if (value instanceof Array array) {
            try {
                Object elements = array.getArray();
                if (elements instanceof Object[] objects) {
                    List<Object> list = new ArrayList<>(objects.length);
                    for (Object element : objects) {
                        list.add(convert(element));
                    }
                    return Collections.unmodifiableList(list);
                }
                return elements;
            } finally {
                array.free();
            }
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof java.sql.Date date) {
            return date.toLocalDate();
        }
        if (value instanceof PGobject object) {
            return object.getValue();
        }
        if (value instanceof byte[] bytes) {
            return Arrays.copyOf(bytes, bytes.length);
        }
        return value;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
