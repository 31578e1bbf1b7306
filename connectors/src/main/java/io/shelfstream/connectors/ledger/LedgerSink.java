package io.shelfstream.connectors.ledger;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.sql.XADataSource;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcExactlyOnceOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.util.function.SerializableSupplier;
import org.postgresql.xa.PGXADataSource;

/**
 * Writes {@link LedgerEntry} changes to the PostgreSQL embedding ledger exactly once, with flink-connector-jdbc's
 * {@link JdbcSink} over XA ({@link PGXADataSource}).
 *
 * <pre>{@code
 * Sink<LedgerEntry> ledger = LedgerSink.builder()
 *         .setJdbcUrl("jdbc:postgresql://postgres:5432/catalog")
 *         .setUsername("shelfstream").setPassword(password)
 *         .build();
 * entries.keyBy(LedgerEntry::key).sinkTo(ledger).uid("ledger-sink");
 * }</pre>
 *
 * <p><b>Guarantee.</b> The changes of a checkpoint go into one XA transaction per sink subtask, prepared at the
 * checkpoint barrier and committed once the checkpoint completes, so the table always shows the result of processing
 * each record exactly once as of some completed checkpoint. On recovery, transactions prepared for restored
 * checkpoints are committed and others rolled back (no dangling entry in {@code pg_prepared_xacts}).
 *
 * <p><b>One statement per change.</b> Each entry runs one statement, a writable CTE: {@code DELETE} of the row when
 * the entry is a removal, {@code INSERT ... ON CONFLICT (entity_type, entity_id) DO UPDATE} when it is an upsert
 * (each part is guarded by the entry's kind, so exactly one acts). Both are idempotent, and statements run in record
 * order inside the subtask's transaction, so an upsert followed by a removal of one entity in one checkpoint leaves no
 * row. One statement keeps the connector's single-statement batch executor, which preserves that order; two
 * statements (one batch each) would reorder an entity's changes.
 *
 * <p><b>Requirements.</b>
 * <ul>
 *   <li>The table exists ({@code io.shelfstream.schemas.CatalogSql#ledgerDdl()}).</li>
 *   <li>PostgreSQL allows prepared transactions: {@code max_prepared_transactions} &gt; 0 (at least two per sink
 *       subtask; the server's default is 0, which fails every checkpoint).</li>
 *   <li>Every change of one entity reaches the same sink subtask, in order: key the stream by
 *       {@link LedgerEntry#key()} (or by the entity the records derive from). Two subtasks writing one row would
 *       wait on each other's open transaction until a checkpoint times out.</li>
 *   <li>Checkpointing is enabled; records become visible when their checkpoint completes.</li>
 * </ul>
 *
 * <p><b>Settings that are fixed on purpose.</b> Failed batches are not retried inside a transaction ({@code
 * maxRetries} 0, required by the connector's XA mode: a retried batch could be applied twice, FLINK-22311); a failure
 * restarts the job instead, which rolls the transaction back. Each transaction uses its own connection
 * ({@code transactionPerConnection}), because a PostgreSQL connection holds one XA transaction at a time and must
 * be idle to commit a prepared one. The connector's recovery rolls back prepared transactions it does not know
 * (default on): restore with the same parallelism, or see the connector's {@code withRecoveredAndRollback}.
 */
public final class LedgerSink {

    /** The ledger table of {@code ledger.sql}. */
    public static final String DEFAULT_TABLE = "embedding_ledger";
    /** Statements per JDBC batch. */
    public static final int DEFAULT_BATCH_SIZE = 1000;
    /** How long a ledger statement waits for a row lock before it fails, in milliseconds. */
    static final int LOCK_TIMEOUT_MS = 10_000;

    private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");

    private LedgerSink() {
    }

    /** A builder; the JDBC URL is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The statement of one entry; its parameters are set by {@link #bind}. */
    static String statement(String table) {
        return "WITH removed AS (\n"
                + "    DELETE FROM " + table + " WHERE CAST(? AS boolean) AND entity_type = ? AND point_id = CAST(? AS uuid)\n"
                + ")\n"
                + "INSERT INTO " + table + " (entity_type, entity_id, point_id, collection, content_hash, model_id,\n"
                + "        source_event_id, source_position, embedded_at)\n"
                + "SELECT ?, ?, CAST(? AS uuid), ?, ?, ?, ?, ?, CAST(? AS timestamptz)\n"
                + "WHERE NOT CAST(? AS boolean)\n"
                + "ON CONFLICT (entity_type, entity_id) DO UPDATE SET\n"
                + "    point_id = EXCLUDED.point_id,\n"
                + "    collection = EXCLUDED.collection,\n"
                + "    content_hash = EXCLUDED.content_hash,\n"
                + "    model_id = EXCLUDED.model_id,\n"
                + "    source_event_id = EXCLUDED.source_event_id,\n"
                + "    source_position = EXCLUDED.source_position,\n"
                + "    embedded_at = EXCLUDED.embedded_at";
    }

    /** Sets the parameters of {@link #statement} for one entry. */
    static void bind(PreparedStatement statement, LedgerEntry entry) throws SQLException {
        statement.setBoolean(1, entry.removal());
        statement.setString(2, entry.entityType());
        statement.setString(3, entry.pointId().toString());
        statement.setString(4, entry.entityType());
        statement.setString(5, entry.entityId());
        if (entry.removal()) {
            statement.setNull(6, Types.OTHER);
            for (int i = 7; i <= 11; i++) {
                statement.setNull(i, Types.VARCHAR);
            }
            statement.setNull(12, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setObject(6, entry.pointId());
            statement.setString(7, entry.collection());
            statement.setString(8, entry.contentHash());
            statement.setString(9, entry.modelId());
            statement.setString(10, entry.sourceEventId());
            statement.setString(11, entry.sourcePosition());
            statement.setObject(12, OffsetDateTime.ofInstant(entry.embeddedAt(), ZoneOffset.UTC));
        }
        statement.setBoolean(13, entry.removal());
    }

    /** Builds the ledger sink; every setter validates its value. */
    public static final class Builder {

        private String jdbcUrl;
        private String username;
        private String password;
        private String table = DEFAULT_TABLE;
        private int batchSize = DEFAULT_BATCH_SIZE;

        private Builder() {
        }

        /** The PostgreSQL database, {@code jdbc:postgresql://host:port/database}; required. */
        public Builder setJdbcUrl(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("The ledger needs a PostgreSQL JDBC URL "
                        + "(jdbc:postgresql://host:port/database), got: " + jdbcUrl);
            }
            this.jdbcUrl = jdbcUrl;
            return this;
        }

        /** The user to connect as; by default the driver's (URL parameters or none). */
        public Builder setUsername(String username) {
            this.username = Objects.requireNonNull(username, "username");
            return this;
        }

        /** The password; by default none. */
        public Builder setPassword(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** The ledger table, optionally schema-qualified; default {@value LedgerSink#DEFAULT_TABLE}. */
        public Builder setTable(String table) {
            Objects.requireNonNull(table, "table");
            if (!TABLE_NAME.matcher(table).matches()) {
                throw new IllegalArgumentException("The ledger table must be a lower-case SQL name, optionally "
                        + "schema-qualified (e.g. embedding_ledger or shelfstream.embedding_ledger), got: " + table);
            }
            this.table = table;
            return this;
        }

        /** Statements sent per JDBC batch (1..100,000); default {@value LedgerSink#DEFAULT_BATCH_SIZE}. */
        public Builder setBatchSize(int batchSize) {
            if (batchSize < 1 || batchSize > 100_000) {
                throw new IllegalArgumentException("The ledger batch size must be in 1..100000, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** The exactly-once sink. */
        public Sink<LedgerEntry> build() {
            if (jdbcUrl == null) {
                throw new IllegalStateException("The ledger sink needs a JDBC URL: call setJdbcUrl(...)");
            }
            JdbcExecutionOptions execution = JdbcExecutionOptions.builder()
                    .withBatchSize(batchSize)
                    .withBatchIntervalMs(0)
                    .withMaxRetries(0)
                    .build();
            JdbcExactlyOnceOptions exactlyOnce = JdbcExactlyOnceOptions.builder()
                    .withTransactionPerConnection(true)
                    .withTimeoutSec(Optional.empty())
                    .build();
            return JdbcSink.<LedgerEntry>builder()
                    .withExecutionOptions(execution)
                    .withQueryStatement(statement(table), LedgerSink::bind)
                    .buildExactlyOnce(exactlyOnce, dataSource(jdbcUrl, username, password));
        }

        private static SerializableSupplier<XADataSource> dataSource(String url, String user, String password) {
            return () -> {
                PGXADataSource source = new PGXADataSource();
                source.setUrl(url);
                // A statement that waits for a row lock longer than this fails (and the task restarts) instead of
                // hanging: after a failure, the aborted attempt's connection may still hold the rows' locks while
                // the restarted attempt writes them, and a task that never returns cannot be cancelled.
                source.setOptions("-c lock_timeout=" + LOCK_TIMEOUT_MS);
                if (user != null) {
                    source.setUser(user);
                }
                if (password != null) {
                    source.setPassword(password);
                }
                return source;
            };
        }
    }
}
