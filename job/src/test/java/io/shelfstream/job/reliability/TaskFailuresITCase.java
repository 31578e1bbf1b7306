package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.testutils.FailingSource;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.LibraryAssertions;
import io.shelfstream.job.testutils.LibraryExpectation;
import io.shelfstream.job.testutils.LibraryInput;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;

/**
 * Task failures at random points of a mixed stream of 20,000 events (books, students and checkouts, 1% malformed):
 * the readers of all three topics are paced and fail their task when the shared count of emitted records reaches
 * one of ten random points, so the job fails over and restores from its last completed checkpoint each time, with
 * records in flight everywhere in the pipeline (catalog lookups, embedding batches, keyed state, uncommitted Qdrant
 * and dead-letter transactions). Afterwards Qdrant holds exactly the library the events and catalog say, taste
 * vectors included, and the dead-letter topic holds each bad record exactly once.
 *
 * <p>The failure points are random (seed logged, fixed with {@code -Dshelfstream.test.seed=N}); sizes and the
 * number of failures scale with {@code -Dshelfstream.test.scale=N}.
 */
class TaskFailuresITCase {

    private static final Logger LOG = LoggerFactory.getLogger(TaskFailuresITCase.class);

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final int EVENTS = 20_000 * SCALE;
    private static final int FAILURES = 10 * SCALE;
    private static final int MIN_GAP = 500;
    private static final double RECORDS_PER_SECOND = 600;
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(rocksDb(METRICS.addToConfiguration(new Configuration())))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    static Configuration rocksDb(Configuration c) {
        c.setString("state.backend.type", "rocksdb");
        c.setString("execution.checkpointing.incremental", "true");
        return c;
    }

    @Test
    void qdrantAndTheDeadLetterTopicEndExactlyAsExpectedAfterRepeatedTaskFailures() throws Exception {
        long started = System.nanoTime();
        LibraryInput input = LibraryInput.generate(GeneratorOptions.builder()
                .setBooks(150 * SCALE).setStudents(60 * SCALE).setCheckouts(EVENTS).setSeed(909)
                .setMalformedFraction(0.01).setMaxRecordBytes(16 * 1024).build());
        List<GeneratedRecord> all = input.all();
        LibraryExpectation expected = input.expected;
        int total = all.size();
        assertThat(total).as("events").isGreaterThanOrEqualTo(EVENTS);

        long seed = Long.getLong("shelfstream.test.seed", System.nanoTime());
        Random random = new Random(seed);
        TreeSet<Long> points = new TreeSet<>();
        while (points.size() < FAILURES) {
            long p = (long) (total * (0.03 + 0.94 * random.nextDouble()));
            Long below = points.floor(p);
            Long above = points.ceiling(p);
            if ((below == null || p - below >= MIN_GAP) && (above == null || above - p >= MIN_GAP)) {
                points.add(p);
            }
        }
        String planName = TestNames.fresh("task_failures");
        FailingSource.Plan plan = FailingSource.Plan.create(planName, points);
        LOG.info("Failing tasks at records {} of {} (seed {})", points, total, seed);

        try (PipelineFixture fixture = PipelineFixture.create(2);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            input.loadAndSend(fixture);

            JobOptions options = fixture.options()
                    .with("parallelism", "2")
                    .with("record.max-bytes", String.valueOf(16 * 1024))
                    .with("checkpoint.interval", "300ms")
                    .with("embedding.batch.max-records", "32");
            StreamExecutionEnvironment env = PipelineFixture.restartingEnvironment(options, Duration.ofMillis(50));
            PipelineFixture.pacedJob(options, RECORDS_PER_SECOND, planName).build(env);
            JobExecutionResult result = env.execute("task-failures");

            long restarts = JobMetrics.restarts(METRICS, result.getJobID());
            LOG.info("{} events, {} planned failures thrown, {} restarts, {} records emitted with replays, {} s",
                    total, plan.thrown(), restarts, plan.emitted(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            assertThat(plan.thrown()).as("planned failures thrown").isEqualTo(FAILURES);
            // two planned failures can land in one failover (a second reader crosses its point before the first
            // failure has cancelled it), so fewer restarts than failures is possible, but not far fewer
            assertThat(restarts).as("restarts of the job (numRestarts)").isGreaterThanOrEqualTo(FAILURES / 2);
            // restores from checkpoints, not from the beginning: a restart from scratch at each failure would
            // replay on average half the stream each time
            assertThat(plan.emitted()).as("records emitted, replays included")
                    .isLessThan(total + (long) FAILURES * total / 4);

            int withCheckouts = LibraryAssertions.assertQdrantHoldsLibrary(fixture, expected,
                    options.tasteSettings(), options.positiveInt("taste.recent-books"), embedder);
            assertThat(withCheckouts).as("students with checkouts").isGreaterThan(expected.presentStudents.size() / 2);
            LibraryAssertions.assertDeadLetters(fixture, expected, all);
        }
    }
}
