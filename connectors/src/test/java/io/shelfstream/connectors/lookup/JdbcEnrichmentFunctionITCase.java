package io.shelfstream.connectors.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.testutils.EnrichedEvent;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.LookupEvent;
import io.shelfstream.connectors.testutils.RecordingCatalogBackend;
import io.shelfstream.connectors.testutils.TestNames;

/**
 * 10,000 enrichments (times {@code shelfstream.test.scale}) through a MiniCluster against a real PostgreSQL whose
 * columns are named differently from the fields: rows that exist, rows that never will, and rows inserted only after
 * their first lookup missed them.
 */
class JdbcEnrichmentFunctionITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);

    /** The text the test expects for a key: what the catalog rows are made of. */
    static String expectedText(String key) {
        int n = Integer.parseInt(key.substring(2));
        return "Title " + n + " | " + (n % 7 == 0 ? "-" : "About " + n) + " | " + "g" + (n % 5) + ",g" + (n % 3);
    }

    @Test
    void everyRecordComesOutOnceWithItsRowOrAsMissing() throws Exception {
        int events = 10_000 * SCALE;
        int keys = 4_000 * SCALE;
        LocalPostgres pg = LocalServices.postgres();
        String db = TestNames.fresh("lookup_10k");
        String url = pg.createDatabase(db);
        pg.execute(db, "CREATE TABLE catalog_items (item_key TEXT PRIMARY KEY, label TEXT NOT NULL, blurb TEXT, "
                + "tags TEXT[] NOT NULL DEFAULT '{}', updated_at TIMESTAMPTZ NOT NULL DEFAULT now())");

        // keys: 70 % present from the start, 15 % inserted once a lookup missed one of them, 15 % never. A missing
        // row holds the records behind it on its subtask back for its retries (~0.85 s here): the output is ordered
        Set<String> present = new HashSet<>();
        Set<String> late = new HashSet<>();
        Set<String> never = new HashSet<>();
        for (int i = 0; i < keys; i++) {
            String key = "k-" + i;
            int bucket = i % 20;
            (bucket < 14 ? present : bucket < 17 ? late : never).add(key);
        }
        pg.execute(db, insertSql(present));

        String recording = TestNames.fresh("recording");
        RecordingCatalogBackend.Record record = RecordingCatalogBackend.start(recording);
        AtomicBoolean lateScheduled = new AtomicBoolean();
        CompletableFuture<Void> lateInserted = new CompletableFuture<>();
        record.onMissing = missing -> {
            if (missing.stream().anyMatch(late::contains) && lateScheduled.compareAndSet(false, true)) {
                CompletableFuture.runAsync(() -> pg.execute(db, insertSql(late)),
                                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
                        .whenComplete((v, e) -> {
                            if (e != null) {
                                lateInserted.completeExceptionally(e);
                            } else {
                                lateInserted.complete(null);
                            }
                        });
            }
        };

        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> lookup = JdbcEnrichmentFunction
                .<LookupEvent, EnrichedEvent>builder()
                .setOptions(JdbcEnrichmentOptions.builder()
                        .setJdbcUrl(url).setUsername(LocalPostgres.USER).setPassword(LocalPostgres.PASSWORD)
                        .setPoolSize(2).setBatchSize(100).setMaxBatchDelay(Duration.ofMillis(5))
                        .setMaxRetries(5).setRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(250), 2.0)
                        .build())
                .setTable(CatalogTable.builder().setTable("catalog_items").setIdColumn("item_key")
                        .addFields("title=label,description=blurb,genres=tags").build())
                .setKeySelector(LookupEvent::key)
                .setMapper(new TextMapper())
                .setOutputType(TypeInformation.of(EnrichedEvent.class))
                .setBackendFactory(RecordingCatalogBackend.jdbc(recording))
                .build();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataGeneratorSource<LookupEvent> source = new DataGeneratorSource<>(
                index -> new LookupEvent("k-" + Math.floorMod(index * 2_654_435_761L, (long) keys), index),
                events, RateLimiterStrategy.perSecond(5_000), TypeInformation.of(LookupEvent.class));
        List<EnrichedEvent> out = new ArrayList<>(events);
        long start = System.nanoTime();
        try (CloseableIterator<EnrichedEvent> results = lookup
                .orderedWait(env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                        .keyBy(LookupEvent::key))
                .uid("lookup")
                .executeAndCollect("lookup-10k")) {
            results.forEachRemaining(out::add);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(out).hasSize(events);
        Map<Long, EnrichedEvent> bySeq = new HashMap<>();
        for (EnrichedEvent e : out) {
            assertThat(bySeq.put(e.event().seq(), e)).as("seq %d emitted once", e.event().seq()).isNull();
        }
        int found = 0;
        int missing = 0;
        for (long seq = 0; seq < events; seq++) {
            EnrichedEvent e = bySeq.get(seq);
            assertThat(e).as("seq %d", seq).isNotNull();
            String key = e.event().key();
            if (never.contains(key)) {
                assertThat(e.missing()).as("%s has no row", key).isTrue();
                missing++;
            } else {
                assertThat(e.missing()).as("%s has a row", key).isFalse();
                assertThat(e.title()).isEqualTo(expectedText(key));
                found++;
            }
        }
        assertThat(lateInserted).succeedsWithin(Duration.ofSeconds(5));
        Set<String> lateSeenMissing = new HashSet<>(record.missingIds);
        lateSeenMissing.retainAll(late);
        assertThat(lateSeenMissing).as("late rows that were first missed and then found").isNotEmpty();
        assertThat(record.threads).as("threads that ran JDBC queries")
                .allMatch(t -> t.startsWith(JdbcEnrichmentFunction.IO_THREAD_PREFIX));
        assertThat(record.fetches.get()).as("round trips").isLessThan(events / 4);
        System.out.printf("lookup ITCase: %d records (%d found, %d missing, %d late keys missed first) in %d ms, "
                        + "%d queries%n", events, found, missing, lateSeenMissing.size(), millis,
                record.fetches.get());
    }

    private static String insertSql(Set<String> keys) {
        StringBuilder sql = new StringBuilder("INSERT INTO catalog_items (item_key, label, blurb, tags) VALUES ");
        boolean first = true;
        for (String key : keys) {
            int n = Integer.parseInt(key.substring(2));
            sql.append(first ? "" : ", ").append("('").append(key).append("', 'Title ").append(n).append("', ")
                    .append(n % 7 == 0 ? "NULL" : "'About " + n + "'")
                    .append(", '{g").append(n % 5).append(",g").append(n % 3).append("}')");
            first = false;
        }
        return sql.toString();
    }

    /** Puts every mapped field into the title, so the test can check them all. */
    private static final class TextMapper implements EnrichmentMapper<LookupEvent, EnrichedEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public EnrichedEvent found(LookupEvent event, CatalogRow row) {
            String description = row.getString("description");
            return new EnrichedEvent(event, row.getString("title") + " | " + (description == null ? "-" : description)
                    + " | " + String.join(",", row.getStringList("genres")), false);
        }

        @Override
        public EnrichedEvent missing(LookupEvent event) {
            return new EnrichedEvent(event, null, true);
        }

        @Override
        public boolean isMissing(EnrichedEvent output) {
            return output.missing();
        }
    }
}
