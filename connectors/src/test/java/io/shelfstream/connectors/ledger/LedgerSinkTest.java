package io.shelfstream.connectors.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;

import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.junit.jupiter.api.Test;

/** Validation of ledger entries and of the sink builder; writing is covered by {@link LedgerSinkITCase}. */
class LedgerSinkTest {

    private static final UUID POINT = new UUID(7, 7);

    @Test
    void upsertsNeedEveryFieldAndRemovalsOnlyTheKey() {
        LedgerEntry upsert = LedgerEntry.upsert("book", "b1", POINT, "books_v1", "h", "m", "ev",
                LedgerEntry.kafkaPosition("books", 1, 42), Instant.EPOCH);
        assertThat(upsert.key()).isEqualTo(POINT.toString());
        assertThat(upsert.sourcePosition()).isEqualTo("books/1/42");
        assertThat(LedgerEntry.removal("student", "s1").removal()).isTrue();

        assertThatThrownBy(() -> LedgerEntry.removal("author", "a1"))
                .hasMessageContaining("must be 'book' or 'student', got 'author'");
        assertThatThrownBy(() -> LedgerEntry.removal("book", ""))
                .hasMessageContaining("entityId must not be empty");
        assertThatThrownBy(() -> LedgerEntry.upsert("book", "b1", POINT, "books_v1", "h", "m", "ev", "", Instant.EPOCH))
                .hasMessageContaining("sourcePosition must not be empty");
        assertThatThrownBy(() -> LedgerEntry.upsert("book", "b1", null, "books_v1", "h", "m", "ev", "backfill",
                Instant.EPOCH)).hasMessageContaining("pointId");
    }

    @Test
    void builderBuildsTheConnectorsExactlyOnceSinkAndRejectsBadSettings() {
        assertThat(LedgerSink.builder().setJdbcUrl("jdbc:postgresql://localhost:5432/catalog").build())
                .isInstanceOf(JdbcSink.class);
        assertThatThrownBy(() -> LedgerSink.builder().build()).hasMessageContaining("call setJdbcUrl");
        assertThatThrownBy(() -> LedgerSink.builder().setJdbcUrl("jdbc:mysql://x/y"))
                .hasMessageContaining("needs a PostgreSQL JDBC URL");
        assertThatThrownBy(() -> LedgerSink.builder().setTable("ledger; DROP TABLE books"))
                .hasMessageContaining("lower-case SQL name");
        assertThatThrownBy(() -> LedgerSink.builder().setBatchSize(0)).hasMessageContaining("1..100000");
        assertThat(LedgerSink.statement("shelfstream.embedding_ledger"))
                .contains("DELETE FROM shelfstream.embedding_ledger")
                .contains("ON CONFLICT (entity_type, entity_id) DO UPDATE");
    }
}
