package io.shelfstream.connectors.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.schemas.CatalogSql;
import io.shelfstream.schemas.PointIds;

/**
 * The exactly-once ledger sink on a real PostgreSQL in a MiniCluster at parallelism 2, with checkpoints every 200 ms
 * and three injected failures: bounded input that runs to its end, and unbounded input stopped with a savepoint.
 *
 * <p>Each generated record is one entity's group of changes (insert, update, insert then remove, remove a seeded
 * row, update a seeded row, remove and re-insert a seeded row), so the expected table follows from the changes alone,
 * applied in plain Java to the seeded rows, whatever subtask or restart processed them. Afterwards the table must hold
 * exactly the expected rows and the database no prepared transaction.
 */
class LedgerSinkITCase {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerSinkITCase.class);

    /** Entities (records) per source split; each of the two splits gets its own entities. */
    private static final int PER_SPLIT = 1500;
    private static final long CHECKPOINT_INTERVAL_MS = 200;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    Path temp;

    private final LocalPostgres postgres = LocalServices.postgres();

    @Test
    void boundedInputEndsWithExactlyTheExpectedRows() throws Exception {
        String database = ledgerDatabase("ledger_bounded");
        String scenario = database;
        ThrowOnce.plan(scenario, Set.of(300L, (long) PER_SPLIT + 700, 1200L));

        JobClient job = start(scenario, database, 2L * PER_SPLIT, RateLimiterStrategy.noOp());
        job.getJobExecutionResult().get(2, TimeUnit.MINUTES);

        assertThat(ThrowOnce.thrown(scenario)).as("injected failures").isEqualTo(3);
        assertLedgerHoldsExactlyTheExpectedRows(database);
    }

    /**
     * The shape in which flink-connector-jdbc's XA writer was seen failing checkpoints with "currentXid not null":
     * a bounded source at parallelism 2 forwarding to the sink, where one sink subtask reaches the end of its input
     * seconds before the other while checkpoints go on. Entities of the two splits are disjoint, so no keyBy is
     * needed for per-entity order here.
     */
    @Test
    void boundedInputWhoseSinkSubtasksFinishAtDifferentTimesEndsWithExactlyTheExpectedRows() throws Exception {
        String database = ledgerDatabase("ledger_uneven");
        String scenario = database;
        ThrowOnce.plan(scenario, Set.of(200L, (long) PER_SPLIT + 500, (long) PER_SPLIT + 1100));
        ThrowOnce.slowDown(scenario, PER_SPLIT, Duration.ofMillis(2));

        JobClient job = start(scenario, database, 2L * PER_SPLIT, RateLimiterStrategy.noOp(), false);
        job.getJobExecutionResult().get(2, TimeUnit.MINUTES);

        assertThat(ThrowOnce.thrown(scenario)).as("injected failures").isEqualTo(3);
        assertLedgerHoldsExactlyTheExpectedRows(database);
    }

    @Test
    void unboundedInputStoppedWithASavepointEndsWithExactlyTheExpectedRows() throws Exception {
        String database = ledgerDatabase("ledger_unbounded");
        String scenario = database;
        ThrowOnce.plan(scenario, Set.of(400L, (long) PER_SPLIT + 800, 1300L));

        // Practically endless: the generator keeps emitting records that carry no change after the planned ones.
        long endless = 2_000_000_000_000L;
        JobClient job = start(scenario, database, endless, RateLimiterStrategy.perSecond(3000));
        awaitSentinels(database, job);
        String savepoint = job.stopWithSavepoint(false, temp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(1, TimeUnit.MINUTES);
        LOG.info("Stopped with savepoint {}", savepoint);

        assertThat(ThrowOnce.thrown(scenario)).as("injected failures").isEqualTo(3);
        assertLedgerHoldsExactlyTheExpectedRows(database);
    }

    // ------------------------------------------------------------------ the job

    private JobClient start(String scenario, String database, long count, RateLimiterStrategy rate)
            throws Exception {
        return start(scenario, database, count, rate, true);
    }

    private JobClient start(String scenario, String database, long count, RateLimiterStrategy rate, boolean keyed)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        // generous: on a loaded machine a failed attempt's slots free slowly, and each attempt that finds no free
        // slot ("Could not acquire the minimum required resources") uses up a restart
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 500);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(250));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(CHECKPOINT_INTERVAL_MS, CheckpointingMode.EXACTLY_ONCE);
        SinkConfig sinkFactory = new SinkConfig(postgres.jdbcUrl(database));
        long splitStart = count / 2;
        DataStream<LedgerEntry> changes = env.fromSource(
                        new DataGeneratorSource<>(index -> index, count, rate, Types.LONG),
                        WatermarkStrategy.noWatermarks(), "indexes").uid("indexes")
                .map(index -> index < splitStart ? index : index - splitStart + PER_SPLIT).uid("entities")
                .map(new ThrowOnce(scenario)).uid("failures")
                .flatMap(new Changes()).returns(TypeInformation.of(LedgerEntry.class)).uid("changes");
        (keyed ? changes.keyBy(LedgerEntry::key) : changes)
                .sinkTo(sinkFactory.build()).uid("ledger-sink").name("Ledger");
        return env.executeAsync(scenario);
    }

    /** Serializable holder, so the sink is built from plain strings. */
    private record SinkConfig(String jdbcUrl) implements java.io.Serializable {
        org.apache.flink.api.connector.sink2.Sink<LedgerEntry> build() {
            return LedgerSink.builder().setJdbcUrl(jdbcUrl).setUsername(LocalPostgres.USER)
                    .setPassword(LocalPostgres.PASSWORD).setBatchSize(200).build();
        }
    }

    /** The changes of entity {@code n} (none past the planned entities), plus a split's sentinel at its end. */
    static final class Changes implements FlatMapFunction<Long, LedgerEntry> {
        @Override
        public void flatMap(Long entity, Collector<LedgerEntry> out) {
            changesOf(entity).forEach(out::collect);
        }
    }

    static List<LedgerEntry> changesOf(long n) {
        if (n >= 2L * PER_SPLIT) {
            return List.of();
        }
        String type = n % 3 == 0 ? LedgerEntry.STUDENT : LedgerEntry.BOOK;
        String id = "e" + n;
        List<LedgerEntry> changes = new ArrayList<>();
        switch ((int) (n % 6)) {
            case 0 -> changes.add(upsert(type, id, n, 1));
            case 1 -> {
                changes.add(upsert(type, id, n, 1));
                changes.add(upsert(type, id, n, 2));
            }
            case 2 -> {
                changes.add(upsert(type, id, n, 1));
                changes.add(LedgerEntry.removal(type, id));
            }
            case 3 -> changes.add(LedgerEntry.removal(type, id));
            case 4 -> changes.add(upsert(type, id, n, 2));
            default -> {
                changes.add(LedgerEntry.removal(type, id));
                changes.add(upsert(type, id, n, 1));
            }
        }
        if (n == PER_SPLIT - 1 || n == 2L * PER_SPLIT - 1) {
            changes.add(upsert(LedgerEntry.BOOK, sentinel(n), n, 9));
        }
        return changes;
    }

    /** Entities 3, 4 and 5 (mod 6) are in the ledger before the job starts. */
    static boolean seeded(long n) {
        return n % 6 >= 3;
    }

    private static String sentinel(long n) {
        return "end-" + (n / PER_SPLIT);
    }

    private static LedgerEntry upsert(String type, String id, long n, int version) {
        String collection = type.equals(LedgerEntry.BOOK) ? "books_minilm_v1" : "students_minilm_v1";
        return LedgerEntry.upsert(type, id, PointIds.of(type, id), collection, "hash-" + n + "-" + version,
                "all-MiniLM-L6-v2", "event-" + n + "-" + version,
                LedgerEntry.kafkaPosition(type + "s", (int) (n % 2), n * 10 + version),
                Instant.ofEpochSecond(1_780_000_000L + n * 10 + version));
    }

    private static LedgerEntry seed(long n) {
        String type = n % 3 == 0 ? LedgerEntry.STUDENT : LedgerEntry.BOOK;
        String id = "e" + n;
        return LedgerEntry.upsert(type, id, PointIds.of(type, id), "old_collection", "seed-hash", "old-model",
                "seed-event-" + n, LedgerEntry.BACKFILL, Instant.ofEpochSecond(1_700_000_000L + n));
    }

    /**
     * Throws once at each planned entity; a restarted task replays it and passes. Static, so the failures survive
     * restarts of the job in the MiniCluster's JVM.
     */
    static final class ThrowOnce implements MapFunction<Long, Long> {
        private static final Map<String, Set<Long>> PLANNED = new ConcurrentHashMap<>();
        private static final Map<String, Set<Long>> THROWN = new ConcurrentHashMap<>();
        private static final Map<String, Long> SLOW_FROM = new ConcurrentHashMap<>();
        private static final Map<String, Duration> SLOW_BY = new ConcurrentHashMap<>();

        private final String scenario;

        ThrowOnce(String scenario) {
            this.scenario = scenario;
        }

        static void plan(String scenario, Set<Long> failAt) {
            PLANNED.put(scenario, Set.copyOf(failAt));
            THROWN.put(scenario, ConcurrentHashMap.newKeySet());
        }

        /** Delays each entity from {@code from} on by {@code delay}, so one split ends well after the other. */
        static void slowDown(String scenario, long from, Duration delay) {
            SLOW_FROM.put(scenario, from);
            SLOW_BY.put(scenario, delay);
        }

        static int thrown(String scenario) {
            return THROWN.get(scenario).size();
        }

        @Override
        public Long map(Long entity) throws InterruptedException {
            if (entity >= SLOW_FROM.getOrDefault(scenario, Long.MAX_VALUE)) {
                Thread.sleep(SLOW_BY.get(scenario).toMillis());
            }
            if (PLANNED.get(scenario).contains(entity) && THROWN.get(scenario).add(entity)) {
                throw new IllegalStateException("Injected failure at entity " + entity);
            }
            return entity;
        }
    }

    // ------------------------------------------------------------------ the database

    private String ledgerDatabase(String prefix) throws SQLException {
        String database = TestNames.fresh(prefix);
        postgres.createDatabase(database);
        postgres.execute(database, CatalogSql.ledgerDdl());
        try (Connection c = postgres.connect(database);
                PreparedStatement insert = c.prepareStatement(LedgerSink.statement(LedgerSink.DEFAULT_TABLE))) {
            for (long n = 0; n < 2L * PER_SPLIT; n++) {
                if (seeded(n)) {
                    LedgerSink.bind(insert, seed(n));
                    insert.addBatch();
                }
            }
            insert.executeBatch();
        }
        return database;
    }

    private void awaitSentinels(String database, JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("job ended early").isFalse();
            try (Connection c = postgres.connect(database); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT count(*) FROM embedding_ledger WHERE entity_id LIKE 'end-%'")) {
                rs.next();
                if (rs.getInt(1) == 2) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the last changes of both splits did not reach the ledger within 2 minutes");
    }

    /** The rows the changes leave, computed without the sink: seeded rows, then each entity's changes in order. */
    private static Map<String, List<String>> expectedRows() {
        Map<String, List<String>> rows = new TreeMap<>();
        for (long n = 0; n < 2L * PER_SPLIT; n++) {
            if (seeded(n)) {
                LedgerEntry s = seed(n);
                rows.put(s.key(), row(s));
            }
        }
        for (long n = 0; n < 2L * PER_SPLIT; n++) {
            for (LedgerEntry change : changesOf(n)) {
                if (change.removal()) {
                    rows.remove(change.key());
                } else {
                    rows.put(change.key(), row(change));
                }
            }
        }
        return rows;
    }

    private static List<String> row(LedgerEntry e) {
        return List.of(e.entityType(), e.entityId(), e.pointId().toString(), e.collection(), e.contentHash(),
                e.modelId(), e.sourceEventId(), e.sourcePosition(), e.embeddedAt().toString());
    }

    private void assertLedgerHoldsExactlyTheExpectedRows(String database) throws SQLException {
        Map<String, List<String>> actual = new TreeMap<>();
        int rowCount = 0;
        try (Connection c = postgres.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT entity_type, entity_id, point_id::text, collection, "
                        + "content_hash, model_id, source_event_id, source_position, embedded_at "
                        + "FROM embedding_ledger")) {
            while (rs.next()) {
                rowCount++;
                List<String> row = List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                        rs.getObject(9, OffsetDateTime.class).toInstant().toString());
                actual.put(row.get(2), row); // keyed by point id, like LedgerEntry.key()
            }
        }
        Map<String, List<String>> expected = expectedRows();
        assertThat(rowCount).as("rows (no duplicates)").isEqualTo(expected.size());
        assertThat(actual).isEqualTo(expected);
        try (Connection c = postgres.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()")) {
            rs.next();
            assertThat(rs.getInt(1)).as("prepared transactions left behind").isZero();
        }
    }
}
