package io.shelfstream.job.ledger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shelfstream.connectors.ledger.LedgerEntry;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.schemas.CatalogSql;

/**
 * Turns the point writes of an embedding operator into embedding-ledger changes: an upsert becomes the entity's
 * ledger row (entity id, content hash, model id, source event and position from the point's payload, embedded now),
 * a delete removes the entity's row by its point id.
 *
 * <p>It reads the embedding operator's own output, so a row is written when a text was embedded, not when a
 * checkout changed a payload afterwards. On open it creates the ledger table if it does not exist
 * ({@link CatalogSql#ledgerDdl()}, under an advisory lock so parallel subtasks do not race on the DDL).
 */
public final class LedgerEntries extends RichMapFunction<PointWrite, LedgerEntry> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Advisory lock key of the ledger DDL. */
    private static final long DDL_LOCK = 0x5e1f57_1ed9e6L;

    private final String entityType;
    private final String idField;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String table;

    /**
     * Creates the function.
     *
     * @param entityType {@link LedgerEntry#BOOK} or {@link LedgerEntry#STUDENT}
     * @param jdbcUrl    the ledger database (for the table's DDL)
     * @param table      the ledger table, created when missing
     */
    public LedgerEntries(String entityType, String jdbcUrl, String user, String password, String table) {
        this.entityType = entityType;
        this.idField = LedgerEntry.BOOK.equals(entityType) ? "book_id" : "student_id";
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.table = table;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")");
                s.execute(CatalogSql.ledgerDdl().replace("embedding_ledger", table));
            }
            c.commit();
        }
    }

    @Override
    public LedgerEntry map(PointWrite write) throws Exception {
        UUID pointId = UUID.fromString(write.pointId());
        if (write.delete()) {
            return LedgerEntry.removalOfPoint(entityType, pointId);
        }
        JsonNode p = JSON.readTree(write.payloadJson());
        return LedgerEntry.upsert(entityType, p.path(idField).asText(), pointId, write.collection(),
                p.path("content_hash").asText(), p.path("model_id").asText(), p.path("event_id").asText(),
                p.path("source").asText(), Instant.now());
    }
}
