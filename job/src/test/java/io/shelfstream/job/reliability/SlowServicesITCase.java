package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.qdrant.internal.SinkMetrics;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.LibraryAssertions;
import io.shelfstream.job.testutils.LibraryInput;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.StudentEvent;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;

/**
 * Slow Qdrant and slow PostgreSQL at once: every Qdrant call is delayed, and the catalog is read through views
 * whose every row waits in {@code pg_sleep}. The job backs off through backpressure, not by failing: it finishes
 * without a single restart (no lookup or request timeout fires), the sink's buffer never holds more points than
 * there are entities (changes are compacted per point, so memory does not grow with the events), and Qdrant and the
 * dead-letter topic end exactly as expected (no lookup turns into a {@code catalog_row_missing} dead letter).
 */
class SlowServicesITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SlowServicesITCase.class);

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final Duration QDRANT_LATENCY = Duration.ofMillis(250);
    private static final double ROW_DELAY_SECONDS = 0.05;
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    private final LocalQdrantServer qdrant = LocalServices.qdrant();

    @AfterEach
    void clearFaults() {
        qdrant.clearFaults();
    }

    @Test
    void slowQdrantAndSlowCatalogBackPressureTheJobWithoutLosingOrFailingAnything() throws Exception {
        long started = System.nanoTime();
        LibraryInput input = LibraryInput.generate(GeneratorOptions.builder()
                .setBooks(80 * SCALE).setStudents(30 * SCALE).setCheckouts(3_000 * SCALE).setSeed(5)
                .setMalformedFraction(0.01).setMaxRecordBytes(16 * 1024).build());
        Set<String> entities = new HashSet<>();
        for (GeneratedRecord r : input.books) {
            if (!r.isMalformed()) {
                entities.addAll(((BookEvent) r.event()).bookIds());
            }
        }
        for (GeneratedRecord r : input.students) {
            if (!r.isMalformed()) {
                entities.add(((StudentEvent) r.event()).studentId());
            }
        }

        try (PipelineFixture fixture = PipelineFixture.create(2);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            input.loadAndSend(fixture);
            // the catalog behind views that sleep for every row they return, counted in pg_stat_user_functions
            LocalServices.postgres().execute(fixture.database(), ""
                    + "CREATE FUNCTION catalog_delay(id text) RETURNS boolean VOLATILE LANGUAGE plpgsql AS $$ "
                    + "BEGIN PERFORM pg_sleep(" + ROW_DELAY_SECONDS + "); RETURN true; END $$;\n"
                    + "CREATE VIEW slow_books AS SELECT * FROM books WHERE catalog_delay(book_id);\n"
                    + "CREATE VIEW slow_students AS SELECT * FROM students WHERE catalog_delay(student_id);\n"
                    + "ALTER DATABASE " + fixture.database() + " SET track_functions = 'pl'");
            JobOptions options = fixture.options()
                    .with("parallelism", "2")
                    .with("record.max-bytes", String.valueOf(16 * 1024))
                    .with("catalog.books.table", "slow_books")
                    .with("catalog.students.table", "slow_students")
                    .with("checkpoint.interval", "300ms");
            Configuration config = new Configuration();
            // a failure would be a bug here: no restarts allowed
            config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
            ShelfstreamJob.configure(env, options);
            // paced, so the run spans many checkpoints and commits
            PipelineFixture.pacedJob(options, 300, null).build(env);

            qdrant.setLatency(QDRANT_LATENCY);
            JobClient job = env.executeAsync("slow-services");
            AtomicLong maxBuffered = new AtomicLong();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleWithFixedDelay(() -> maxBuffered.accumulateAndGet(buffered(job.getJobID()), Math::max),
                    0, 50, TimeUnit.MILLISECONDS);
            JobExecutionResult result;
            try {
                result = job.getJobExecutionResult().get(10, TimeUnit.MINUTES);
            } finally {
                sampler.shutdownNow();
                qdrant.clearFaults();
            }
            long requests = JobMetrics.counter(METRICS, result.getJobID(), "Committer", SinkMetrics.REQUESTS);
            long delayedRows = delayedRows(fixture);
            LOG.info("slow services: {} delayed sink requests, {} delayed catalog rows, at most {} points buffered "
                            + "({} entities), {} s", requests, delayedRows, maxBuffered.get(), entities.size(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

            assertThat(JobMetrics.restarts(METRICS, result.getJobID())).as("restarts").isZero();
            assertThat(requests).as("sink requests, each answered after the latency").isGreaterThan(10);
            assertThat(delayedRows).as("catalog rows read through the slow views")
                    .isGreaterThanOrEqualTo(input.expected.presentBooks.size());
            assertThat(maxBuffered.get()).as("points buffered by the sink writers at once")
                    .isLessThanOrEqualTo(entities.size());
            LibraryAssertions.assertQdrantHoldsLibrary(fixture, input.expected, options.tasteSettings(),
                    options.positiveInt("taste.recent-books"), embedder);
            LibraryAssertions.assertDeadLetters(fixture, input.expected, input.all());
        }
    }

    /** The sum of the sink writers' {@code bufferedPoints} gauges now. */
    private static long buffered(JobID job) {
        long sum = 0;
        for (Tuple3<MetricGroup, String, Metric> m : METRICS.findJobMetricGroups(job, SinkMetrics.BUFFERED_POINTS)) {
            if (m.f1.equals(SinkMetrics.BUFFERED_POINTS) && m.f2 instanceof Gauge<?> g
                    && g.getValue() instanceof Number n) {
                sum += n.longValue();
            }
        }
        return sum;
    }

    /** How often {@code catalog_delay} ran (statistics arrive with a short delay, so wait until they are seen). */
    private static long delayedRows(PipelineFixture fixture) throws Exception {
        long[] calls = new long[1];
        PipelineFixture.waitUntil("function statistics", () -> {
            try (Connection c = LocalServices.postgres().connect(fixture.database());
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions "
                            + "WHERE funcname = 'catalog_delay'")) {
                r.next();
                calls[0] = r.getLong(1);
                return calls[0] > 0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return calls[0];
    }
}
