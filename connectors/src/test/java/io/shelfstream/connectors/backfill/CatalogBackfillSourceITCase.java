package io.shelfstream.connectors.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.jdbc.core.datastream.source.JdbcSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.CatalogTable;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.schemas.CatalogSql;

/**
 * The catalog backfill source on a real PostgreSQL in a MiniCluster: 5,000 books with text ids in 32 splits at
 * parallelism 2, so each subtask reads many splits one after the other (the shape that fails now and then with the
 * connector's shared connection, FLINK-39206). Repeated, every row must be read exactly once, with its fields.
 */
class CatalogBackfillSourceITCase {

    private static final int BOOKS = 5_000;
    private static final int RUNS = 4;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final LocalPostgres POSTGRES = LocalServices.postgres();
    private static String database;

    private static final CatalogTable BOOKS_TABLE = CatalogTable.builder()
            .setTable("books")
            .setIdColumn("book_id")
            .addFields("title,description,genres,reading_level,updated_at")
            .build();

    @BeforeAll
    static void loadCatalog() {
        database = TestNames.fresh("backfill");
        POSTGRES.createDatabase(database);
        POSTGRES.execute(database, CatalogSql.ddl());
        // Text ids in no particular order; every 10th book has no description.
        POSTGRES.execute(database, "INSERT INTO books (book_id, title, description, genres, reading_level, updated_at) "
                + "SELECT 'bk-' || md5(g::text), 'Title ' || g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'About ' || g END, "
                + "ARRAY['genre' || (g % 7), 'genre' || (g % 3)], 'L' || (g % 5), "
                + "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second' "
                + "FROM generate_series(1, " + BOOKS + ") AS g");
    }

    @Test
    void everyRowIsReadExactlyOnceAcrossManySplitsRunAfterRun() throws Exception {
        for (int run = 1; run <= RUNS; run++) {
            JdbcSource<CatalogRow> source = CatalogBackfillSource.builder()
                    .setJdbcUrl(POSTGRES.jdbcUrl(database))
                    .setUsername(LocalPostgres.USER).setPassword(LocalPostgres.PASSWORD)
                    .setTable(BOOKS_TABLE)
                    .setSplits(32)
                    .setFetchSize(100)
                    .build();
            Map<String, Integer> seen = readAll(source, 2);
            assertThat(seen).as("run %d: distinct ids", run).hasSize(BOOKS);
            assertThat(seen.values()).as("run %d: reads per id", run).containsOnly(1);
        }
    }

    @Test
    void rowsCarryTheCatalogFieldsAndExactlyOnceModeReadsEveryRowOnce() throws Exception {
        JdbcSource<CatalogRow> source = CatalogBackfillSource.builder()
                .setJdbcUrl(POSTGRES.jdbcUrl(database))
                .setUsername(LocalPostgres.USER).setPassword(LocalPostgres.PASSWORD)
                .setTable(BOOKS_TABLE)
                .setSplits(7)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        List<CatalogRow> rows = new ArrayList<>();
        try (CloseableIterator<CatalogRow> it = env.fromSource(source, WatermarkStrategy.noWatermarks(), "books")
                .executeAndCollect("backfill fields")) {
            it.forEachRemaining(rows::add);
        }
        assertThat(rows).hasSize(BOOKS);
        CatalogRow first = rows.stream().filter(r -> r.getString("title").equals("Title 10")).findFirst()
                .orElseThrow();
        assertThat(first.id()).startsWith("bk-");
        assertThat(first.get("description")).isNull();
        assertThat(first.getStringList("genres")).containsExactly("genre3", "genre1");
        assertThat(first.getString("reading_level")).isEqualTo("L0");
        assertThat(first.get("updated_at")).isEqualTo(Instant.parse("2026-01-01T00:00:10Z"));
    }

    @Test
    void idRangesCoverEveryIdWhateverTheBoundaries() {
        Serializable2 params = new Serializable2(CatalogBackfillSource.splitParameters(List.of("a", "g", "p")));
        assertThat(params.rows()).containsExactly(
                List.of("null", "null", "g", "g"), List.of("g", "g", "p", "p"), List.of("p", "p", "null", "null"));
        assertThat(new Serializable2(CatalogBackfillSource.splitParameters(List.of())).rows())
                .containsExactly(List.of("null", "null", "null", "null"));
    }

    /** Reads the whole source at the given parallelism; ids are shuffled by key so rows cross the network. */
    private static Map<String, Integer> readAll(JdbcSource<CatalogRow> source, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        Map<String, Integer> seen = new HashMap<>();
        try (CloseableIterator<String> ids = env.fromSource(source, WatermarkStrategy.noWatermarks(), "books")
                .keyBy(CatalogRow::id)
                .map(row -> row.id() + "|" + row.getString("title")).returns(Types.STRING)
                .executeAndCollect("backfill")) {
            while (ids.hasNext()) {
                String id = ids.next().split("\\|")[0];
                seen.merge(id, 1, Integer::sum);
            }
        }
        return seen;
    }

    private record Serializable2(java.io.Serializable[][] values) {
        List<List<String>> rows() {
            List<List<String>> out = new ArrayList<>();
            for (java.io.Serializable[] row : values) {
                List<String> r = new ArrayList<>();
                for (java.io.Serializable v : row) {
                    r.add(String.valueOf(v));
                }
                out.add(r);
            }
            return out;
        }
    }

}
