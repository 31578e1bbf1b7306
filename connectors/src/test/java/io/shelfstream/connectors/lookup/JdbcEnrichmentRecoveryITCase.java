package io.shelfstream.connectors.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.testutils.CommittedResultsSink;
import io.shelfstream.connectors.testutils.EnrichedEvent;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.LookupEvent;
import io.shelfstream.connectors.testutils.RecordingCatalogBackend;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.connectors.testutils.TitleMapper;

/**
 * PostgreSQL stops in the middle of a stream and comes back: lookups fail, their retries run out, the job fails and
 * restarts from its last checkpoint until the database is back, and the exactly-once sink ends with every record
 * exactly once, each with its row.
 */
class JdbcEnrichmentRecoveryITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);

    @Test
    void aDatabaseOutageRestartsTheJobAndLosesOrDuplicatesNothing() throws Exception {
        int events = 3_000 * SCALE;
        int keys = 500;
        LocalPostgres pg = LocalServices.postgres();
        String db = TestNames.fresh("lookup_outage");
        String url = pg.createDatabase(db);
        pg.execute(db, "CREATE TABLE books (book_id TEXT PRIMARY KEY, title TEXT NOT NULL);"
                + "INSERT INTO books SELECT 'b-' || g, 'Title ' || g FROM generate_series(0, " + (keys - 1) + ") g;");

        String recording = TestNames.fresh("recording");
        RecordingCatalogBackend.Record record = RecordingCatalogBackend.start(recording);
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> lookup = JdbcEnrichmentFunction
                .<LookupEvent, EnrichedEvent>builder()
                .setOptions(JdbcEnrichmentOptions.builder()
                        .setJdbcUrl(url).setUsername(LocalPostgres.USER).setPassword(LocalPostgres.PASSWORD)
                        .setPoolSize(2).setBatchSize(50)
                        .setConnectionTimeout(Duration.ofMillis(500)).setTimeout(Duration.ofSeconds(5))
                        .setMaxRetries(2).setRetryBackoff(Duration.ofMillis(100), Duration.ofMillis(200), 2.0)
                        .build())
                .setTable(CatalogTable.builder().setTable("books").setIdColumn("book_id").addField("title").build())
                .setKeySelector(LookupEvent::key)
                .setMapper(new TitleMapper())
                .setOutputType(TypeInformation.of(EnrichedEvent.class))
                .setBackendFactory(RecordingCatalogBackend.jdbc(recording))
                .build();
        CommittedResultsSink sink = CommittedResultsSink.create(TestNames.fresh("committed"));

        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(300));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(300, CheckpointingMode.EXACTLY_ONCE);
        DataGeneratorSource<LookupEvent> source = new DataGeneratorSource<>(
                index -> new LookupEvent("b-" + Math.floorMod(index * 7919L, (long) keys), index),
                events, RateLimiterStrategy.perSecond(600), TypeInformation.of(LookupEvent.class));
        lookup.orderedWait(env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                        .keyBy(LookupEvent::key))
                .uid("lookup")
                .map(e -> e.event().seq() + "|" + e.event().key() + "|" + e.title() + "|" + e.missing())
                .returns(Types.STRING)
                .sinkTo(sink);
        JobClient job = env.executeAsync("lookup-outage");

        waitFor(() -> sink.committed().size() >= events / 4, Duration.ofSeconds(60));
        pg.stop();
        long stopped = System.nanoTime();
        try {
            // the lookups in flight fail, their retries run out, and the job fails and restarts at least once
            waitFor(() -> sink.writersCreated() > 2 && record.failures.get() > 0, Duration.ofSeconds(30));
        } finally {
            pg.restart();
        }
        long outageMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        job.getJobExecutionResult().get(120, TimeUnit.SECONDS);

        List<String> committed = sink.committed();
        Map<Long, String> bySeq = new HashMap<>();
        for (String line : committed) {
            String[] parts = line.split("\\|");
            long seq = Long.parseLong(parts[0]);
            assertThat(bySeq.put(seq, line)).as("seq %d committed once", seq).isNull();
            int n = Integer.parseInt(parts[1].substring(2));
            assertThat(parts[2]).isEqualTo("Title " + n);
            assertThat(parts[3]).isEqualTo("false");
        }
        assertThat(bySeq).hasSize(events);
        assertThat(record.threads).allMatch(t -> t.startsWith(JdbcEnrichmentFunction.IO_THREAD_PREFIX));
        System.out.printf("lookup outage ITCase: %d records exactly once; outage %d ms, %d failed queries, "
                        + "%d sink writers (parallelism 2), %d backends opened%n", events, outageMillis,
                record.failures.get(), sink.writersCreated(), record.opened.get());
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + max);
            }
            Thread.sleep(20);
        }
    }
}
