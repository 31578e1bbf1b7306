package io.shelfstream.connectors.backfill;

import java.io.Serializable;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.jdbc.core.datastream.source.JdbcSource;
import org.apache.flink.connector.jdbc.core.datastream.source.reader.extractor.ResultExtractor;
import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;
import org.apache.flink.connector.jdbc.split.JdbcParameterValuesProvider;

import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.CatalogRowTypeInfo;
import io.shelfstream.connectors.lookup.CatalogTable;
import io.shelfstream.connectors.lookup.internal.JdbcCatalogBackend;

/**
 * Builds a bounded flink-connector-jdbc {@link JdbcSource} that reads a whole catalog table ({@code books} or
 * {@code students}) in parallel splits and emits each row as a {@link CatalogRow}, for backfills.
 *
 * <pre>{@code
 * CatalogTable books = CatalogTable.builder().setTable("books").setIdColumn("book_id")
 *         .addFields("title,author,description,genres,reading_level,updated_at").build();
 * JdbcSource<CatalogRow> source = CatalogBackfillSource.builder()
 *         .setJdbcUrl("jdbc:postgresql://postgres:5432/catalog").setUsername(user).setPassword(password)
 *         .setTable(books)
 *         .setSplits(32)
 *         .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "catalog backfill: books");
 * }</pre>
 *
 * <p><b>Splits: id ranges read from the table.</b> Catalog ids are text, so there is no numeric range to cut.
 * {@link Builder#build()} asks the database for {@code splits - 1} boundaries that cut the ids, in the database's
 * own text order, into parts of equal row counts ({@code ntile} over the sorted ids), and each split reads one
 * half-open range {@code [lower, upper)}, the first without a lower bound and the last without an upper one. The
 * ranges are contiguous and cover every possible id, so each row is read by exactly one split, also a row inserted
 * after the boundaries were read (it only makes its split larger); on a text id column each range is an index range
 * scan of the primary key. (A hash split, {@code hash(id) % n = k}, would balance as well but makes every split scan
 * the whole table.) An empty table gives one split. Ids are compared as {@code text}, so a non-text id column works
 * too, though without the index.
 *
 * <p><b>Rows.</b> Rows travel with {@link CatalogRowTypeInfo} (not Kryo). The {@link CatalogTable} says which columns to read under which field names, as for the lookup;
 * include {@code updated_at} to know how fresh a row is. Values are converted as for lookups (arrays to lists,
 * timestamps to instants).
 *
 * <p><b>Guarantee.</b> {@link DeliveryGuarantee#AT_LEAST_ONCE} by default: a split that was being read when the job
 * failed is read again from its start after the restore, so some rows may be emitted twice; backfill consumers are
 * idempotent (deterministic point ids, content hashes). {@code EXACTLY_ONCE} resumes a split at its offset, but then
 * the driver holds each split's whole result in memory (a scrollable result set).
 *
 * <p><b>One connection per split (FLINK-39206).</b> The connector's {@code JdbcSource} 4.0.0 shares one connection
 * provider, and with it one connection, between the split readers of a subtask, and fails now and then with "This
 * connection has been closed" when a subtask reads more than one split (FLINK-39206, fixed upstream but not
 * released). The source built here uses a provider that opens a fresh connection for every split and closes a
 * split's connection when the same reader starts its next split ({@code PerSplitConnectionProvider}). The connector's
 * builder has no way to pass a provider (it replaces any given one), so {@link Builder#build()} sets it on the built
 * source; {@code CatalogBackfillSourceITCase} reads 5,000 rows in 32 splits at parallelism 2, several times, with it.
 */
public final class CatalogBackfillSource {

    /** Default number of splits. */
    public static final int DEFAULT_SPLITS = 32;
    /** Default rows per database round trip. */
    public static final int DEFAULT_FETCH_SIZE = 1000;

    private CatalogBackfillSource() {
    }

    /** A builder; JDBC URL and table are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The query of one split: four parameters, lower bound twice then upper bound twice (null = open). */
    static String splitSql(CatalogTable table) {
        String id = "CAST(" + quote(table.idColumn()) + " AS text)";
        StringBuilder sql = new StringBuilder("SELECT ").append(quote(table.idColumn()));
        for (String column : table.fields().values()) {
            sql.append(", ").append(quote(column));
        }
        return sql.append(" FROM ").append(qualified(table.table()))
                .append(" WHERE (CAST(? AS text) IS NULL OR ").append(id).append(" >= CAST(? AS text))")
                .append(" AND (CAST(? AS text) IS NULL OR ").append(id).append(" < CAST(? AS text))")
                .toString();
    }

    /** The lowest id of each of {@code splits} equally sized groups of ids, in text order. */
    static String boundariesSql(CatalogTable table) {
        String id = "CAST(" + quote(table.idColumn()) + " AS text)";
        return "SELECT min(k) FROM (SELECT " + id + " AS k, ntile(?) OVER (ORDER BY " + id + ") AS b FROM "
                + qualified(table.table()) + ") ids GROUP BY b ORDER BY b";
    }

    /** Parameters of every split, from the lowest ids of the groups (the first group's lowest id is not a bound). */
    static Serializable[][] splitParameters(List<String> groupMinimums) {
        int splits = Math.max(1, groupMinimums.size());
        Serializable[][] parameters = new Serializable[splits][];
        for (int i = 0; i < splits; i++) {
            String lower = i == 0 ? null : groupMinimums.get(i);
            String upper = i == splits - 1 ? null : groupMinimums.get(i + 1);
            parameters[i] = new Serializable[] {lower, lower, upper, upper};
        }
        return parameters;
    }

    private static String qualified(String table) {
        StringBuilder out = new StringBuilder();
        String[] parts = table.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            out.append(i == 0 ? "" : ".").append(quote(parts[i]));
        }
        return out.toString();
    }

    private static String quote(String identifier) {
        return '"' + identifier + '"';
    }

    /** Turns the current row of a split's result into a {@link CatalogRow}: the id, then the table's fields. */
    static final class RowExtractor implements ResultExtractor<CatalogRow> {

        private static final long serialVersionUID = 1L;

        private final List<String> fields;

        RowExtractor(List<String> fields) {
            this.fields = List.copyOf(fields);
        }

        @Override
        public CatalogRow extract(ResultSet resultSet) throws SQLException {
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < fields.size(); i++) {
                values.put(fields.get(i), JdbcCatalogBackend.convert(resultSet.getObject(i + 2)));
            }
            return new CatalogRow(resultSet.getString(1), values);
        }
    }

    /** Builds the source; every setter validates its value. */
    public static final class Builder {

        private String jdbcUrl;
        private final Properties properties = new Properties();
        private CatalogTable table;
        private int splits = DEFAULT_SPLITS;
        private int fetchSize = DEFAULT_FETCH_SIZE;
        private DeliveryGuarantee deliveryGuarantee = DeliveryGuarantee.AT_LEAST_ONCE;

        private Builder() {
        }

        /** The catalog database, {@code jdbc:postgresql://host:port/database}; required. */
        public Builder setJdbcUrl(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("The catalog backfill needs a PostgreSQL JDBC URL "
                        + "(jdbc:postgresql://host:port/database), got: " + jdbcUrl);
            }
            this.jdbcUrl = jdbcUrl;
            return this;
        }

        /** The user to connect as. */
        public Builder setUsername(String username) {
            properties.setProperty("user", Objects.requireNonNull(username, "username"));
            return this;
        }

        /** The password. */
        public Builder setPassword(String password) {
            properties.setProperty("password", Objects.requireNonNull(password, "password"));
            return this;
        }

        /** The table to read and its columns under field names; required. */
        public Builder setTable(CatalogTable table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /** How many id ranges to read in parallel (1..10,000); default {@value CatalogBackfillSource#DEFAULT_SPLITS}. */
        public Builder setSplits(int splits) {
            if (splits < 1 || splits > 10_000) {
                throw new IllegalArgumentException("The number of backfill splits must be in 1..10000, got " + splits);
            }
            this.splits = splits;
            return this;
        }

        /** Rows fetched per round trip (1..100,000); default {@value CatalogBackfillSource#DEFAULT_FETCH_SIZE}. */
        public Builder setFetchSize(int fetchSize) {
            if (fetchSize < 1 || fetchSize > 100_000) {
                throw new IllegalArgumentException("The backfill fetch size must be in 1..100000, got " + fetchSize);
            }
            this.fetchSize = fetchSize;
            return this;
        }

        /** {@code AT_LEAST_ONCE} (default), {@code EXACTLY_ONCE} or {@code NONE}; see the class documentation. */
        public Builder setDeliveryGuarantee(DeliveryGuarantee deliveryGuarantee) {
            this.deliveryGuarantee = Objects.requireNonNull(deliveryGuarantee, "deliveryGuarantee");
            return this;
        }

        /**
         * Reads the split boundaries from the table and builds the source.
         *
         * @throws IllegalStateException if the table cannot be read
         */
        public JdbcSource<CatalogRow> build() {
            if (jdbcUrl == null || table == null) {
                throw new IllegalStateException("The catalog backfill needs a JDBC URL and a table: call "
                        + "setJdbcUrl(...) and setTable(...)");
            }
            Serializable[][] parameters = splitParameters(readGroupMinimums());
            JdbcParameterValuesProvider ranges = () -> parameters;
            var builder = JdbcSource.<CatalogRow>builder()
                    .setDBUrl(jdbcUrl)
                    .setSql(splitSql(table))
                    .setJdbcParameterValuesProvider(ranges)
                    .setResultExtractor(new RowExtractor(new ArrayList<>(table.fields().keySet())))
                    .setTypeInformation(CatalogRowTypeInfo.INSTANCE)
                    .setDeliveryGuarantee(deliveryGuarantee)
                    // PostgreSQL streams a result in fetch-size steps only inside a transaction
                    .setAutoCommit(false)
                    .setResultSetFetchSize(fetchSize);
            if (properties.containsKey("user")) {
                builder.setUsername(properties.getProperty("user"));
            }
            if (properties.containsKey("password")) {
                builder.setPassword(properties.getProperty("password"));
            }
            if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
                builder.setResultSetType(ResultSet.TYPE_SCROLL_INSENSITIVE);
            }
            JdbcSource<CatalogRow> source = builder.build();
            useConnectionPerSplit(source, new PerSplitConnectionProvider(jdbcUrl, properties));
            return source;
        }

        private List<String> readGroupMinimums() {
            List<String> minimums = new ArrayList<>();
            try (Connection connection = DriverManager.getConnection(jdbcUrl, properties);
                    PreparedStatement statement = connection.prepareStatement(boundariesSql(table))) {
                statement.setInt(1, splits);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        minimums.add(rs.getString(1));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Could not read the split boundaries of catalog table '"
                        + table.table() + "' (column '" + table.idColumn() + "') at " + jdbcUrl + ": "
                        + e.getMessage(), e);
            }
            return minimums;
        }

        /** Replaces the connector's shared connection provider (FLINK-39206); see the class documentation. */
        private static void useConnectionPerSplit(JdbcSource<CatalogRow> source, JdbcConnectionProvider provider) {
            try {
                Field field = JdbcSource.class.getDeclaredField("connectionProvider");
                field.setAccessible(true);
                field.set(source, provider);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("This flink-connector-jdbc version's JdbcSource has no "
                        + "'connectionProvider' field to give each split its own connection (FLINK-39206 "
                        + "workaround for 4.0.0); check whether the connector fixed FLINK-39206 and drop the "
                        + "workaround", e);
            }
        }
    }
}
