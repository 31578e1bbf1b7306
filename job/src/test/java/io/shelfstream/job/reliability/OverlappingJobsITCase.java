package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.job.testutils.FailingSource;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.LibraryAssertions;
import io.shelfstream.job.testutils.LibraryExpectation;
import io.shelfstream.job.testutils.LibraryInput;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;

/**
 * Two copies of the job write the same collections by mistake, as in a blue/green deployment where the new job
 * starts before the old one stops: the "blue" job is live and up to date; the "green" job starts later with its
 * own consumer group (so its own dead-letter transactions and topic) and replays the topics from the beginning,
 * paced so that it lags; while it replays, the second half of the checkouts arrives and the blue job applies it
 * at once.
 *
 * <p>What the design gives, and this test checks:
 * <ul>
 *   <li>while the green job lags, it puts older versions of points back: book points with a lower
 *       {@code checkout_count} than Qdrant already showed, and points of removed books again (each whole point is
 *       replaced; nothing compares versions). The test samples Qdrant and requires it to see this.</li>
 *   <li>once both jobs have caught up with the topics, every point is exactly the newest state (the expected library,
 *       taste vectors included), because both jobs apply the same records in the same per-key order and the one
 *       that writes a point last writes its final version; and it stays so over further checkpoints.</li>
 *   <li>each job's dead-letter topic holds each bad record exactly once.</li>
 * </ul>
 * The log line gives the window measured: from the green job's start to the last older version seen, and to the
 * green job having caught up.
 */
class OverlappingJobsITCase {

    private static final Logger LOG = LoggerFactory.getLogger(OverlappingJobsITCase.class);

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final double GREEN_RECORDS_PER_SECOND = 40;
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    /** What the sampling of Qdrant saw while the green job lagged. */
    private static final class Staleness {
        final Map<String, Long> highestCount = new HashMap<>();
        final Set<String> regressed = new HashSet<>();
        final Set<String> resurrected = new HashSet<>();
        long firstMillis = -1;
        long lastMillis = -1;
        int samples;

        void sample(Map<String, RetrievedPoint> books, Set<String> removedPoints, long millis) {
            samples++;
            boolean stale = false;
            for (Map.Entry<String, RetrievedPoint> e : books.entrySet()) {
                long count = (Long) Payloads.toJava(e.getValue().getPayloadMap().get("checkout_count"));
                Long highest = highestCount.merge(e.getKey(), count, Math::max);
                if (count < highest) {
                    regressed.add(e.getKey());
                    stale = true;
                }
                if (removedPoints.contains(e.getKey())) {
                    resurrected.add(e.getKey());
                    stale = true;
                }
            }
            if (stale) {
                firstMillis = firstMillis < 0 ? millis : firstMillis;
                lastMillis = millis;
            }
        }
    }

    @Test
    void aLaggingSecondJobWritesOlderVersionsUntilItCatchesUpThenEveryPointIsTheNewest() throws Exception {
        LibraryInput input = LibraryInput.generate(GeneratorOptions.builder()
                .setBooks(60 * SCALE).setStudents(20 * SCALE).setCheckouts(600 * SCALE).setSeed(88)
                .setMalformedFraction(0.01).setMaxRecordBytes(16 * 1024).build());
        // without the checkouts of books never added: they wait checkouts.max-wait in an unbounded job, and a wait
        // short enough for a test could also expire for checkouts the lagging job has not joined yet
        List<GeneratedRecord> checkouts = input.checkouts.stream()
                .filter(r -> r.isMalformed() || !((CheckoutEvent) r.event()).checkoutId().startsWith("c-nobook-"))
                .toList();
        LibraryExpectation expected = new LibraryExpectation(input.library, input.books, input.students, checkouts);
        assertThat(expected.checkoutsWithoutBook).isEmpty();
        List<GeneratedRecord> all = new ArrayList<>(input.books);
        all.addAll(input.students);
        all.addAll(checkouts);
        int firstHalf = checkouts.size() / 2;
        List<GeneratedRecord> early = checkouts.subList(0, firstHalf);
        List<GeneratedRecord> late = checkouts.subList(firstHalf, checkouts.size());
        Set<String> removedPoints = new HashSet<>();
        LibraryExpectation.removedBooks(input.books).forEach(id -> removedPoints.add(PointIds.book(id).toString()));
        removedPoints.removeIf(p -> expected.presentBooks.stream()
                .anyMatch(id -> PointIds.book(id).toString().equals(p)));

        try (PipelineFixture fixture = PipelineFixture.create(2);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            fixture.loadCatalog(input.library);
            fixture.send(EventTopic.BOOKS, input.books);
            fixture.send(EventTopic.STUDENTS, input.students);
            fixture.send(EventTopic.CHECKOUTS, early);

            JobOptions blue = fixture.options()
                    .with("parallelism", "1")
                    .with("record.max-bytes", String.valueOf(16 * 1024))
                    .with("checkpoint.interval", "500ms");
            JobOptions green = blue.with("kafka.group-id", TestNames.fresh("green"))
                    .with("topic.dead-letter", TestNames.fresh("dlq_green"));
            fixture.kafka().createTopic(green.get("topic.dead-letter"), 1);

            JobClient blueJob = start(blue, ShelfstreamJob.booksSource(blue), ShelfstreamJob.studentsSource(blue),
                    ShelfstreamJob.checkoutsSource(blue), "blue");
            JobClient greenJob = null;
            try {
                LibraryExpectation earlyExpected = new LibraryExpectation(input.library, input.books,
                        input.students, early);
                PipelineFixture.waitUntil("the blue job shows the first half",
                        () -> LibraryAssertions.checkoutCountsMatch(fixture, earlyExpected));

                String counter = TestNames.fresh("green");
                FailingSource.Plan greenRecords = FailingSource.Plan.create(counter, List.of());
                greenJob = start(green, paced(green, "topic.books", counter), paced(green, "topic.students", counter),
                        paced(green, "topic.checkouts", counter), "green");
                long greenStarted = System.nanoTime();
                fixture.send(EventTopic.CHECKOUTS, late);

                int total = all.size();
                Staleness staleness = new Staleness();
                long caughtUpMillis = -1;
                long deadline = System.nanoTime() + PipelineFixture.WAIT.toNanos();
                while (caughtUpMillis < 0) {
                    assertThat(System.nanoTime()).as("both jobs catch up in time (green emitted %d of %d records)",
                            greenRecords.emitted(), total).isLessThan(deadline);
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - greenStarted);
                    staleness.sample(fixture.points(fixture.booksCollection()), removedPoints, millis);
                    if (greenRecords.emitted() >= total
                            && LibraryAssertions.checkoutCountsMatch(fixture, expected)) {
                        caughtUpMillis = millis;
                    }
                    Thread.sleep(200);
                }
                long dead = all.stream().filter(GeneratedRecord::isMalformed).count();
                for (JobOptions job : List.of(blue, green)) {
                    PipelineFixture.waitUntil(dead + " dead letters committed by each job", () -> fixture.kafka()
                            .readAll(job.get("topic.dead-letter"), (int) dead, Duration.ofSeconds(2)).size() >= dead);
                }
                // two more checkpoints of each job: nothing either still holds may change a point
                waitForCheckpoints(blueJob.getJobID(), 2);
                waitForCheckpoints(greenJob.getJobID(), 2);
                assertThat(blueJob.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
                assertThat(greenJob.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

                LOG.info("Green job started {} records behind, paced at {} records/s per reader; older versions seen "
                        + "from {} ms to {} ms after its start ({} book points with a lower checkout_count, {} removed "
                        + "books back, {} samples); caught up after {} ms", total - late.size(),
                        GREEN_RECORDS_PER_SECOND, staleness.firstMillis, staleness.lastMillis,
                        staleness.regressed.size(), staleness.resurrected.size(), staleness.samples, caughtUpMillis);
                assertThat(staleness.regressed.size() + staleness.resurrected.size())
                        .as("points put back in an older version while the green job lagged").isPositive();
                assertThat(staleness.lastMillis).as("last older version seen, ms after the green job started")
                        .isLessThanOrEqualTo(caughtUpMillis);

                LibraryAssertions.assertQdrantHoldsLibrary(fixture, expected, blue.tasteSettings(),
                        blue.positiveInt("taste.recent-books"), embedder);
            } finally {
                blueJob.cancel().get();
                if (greenJob != null) {
                    greenJob.cancel().get();
                }
            }
            LibraryAssertions.assertDeadLetters(fixture.kafka(), blue.get("topic.dead-letter"), expected, all);
            LibraryAssertions.assertDeadLetters(fixture.kafka(), green.get("topic.dead-letter"), expected, all);
        }
    }

    private static JobClient start(JobOptions options,
            org.apache.flink.api.connector.source.Source<RawRecord, ?, ?> books,
            org.apache.flink.api.connector.source.Source<RawRecord, ?, ?> students,
            org.apache.flink.api.connector.source.Source<RawRecord, ?, ?> checkouts, String name) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ShelfstreamJob.configure(env, options);
        new ShelfstreamJob(options, books, students, checkouts, ShelfstreamJob.qdrantSink(options),
                ShelfstreamJob.deadLetterSink(options)).build(env);
        return env.executeAsync(name);
    }

    /** An unbounded source of one topic, paced, its records counted by the plan named {@code counter}. */
    private static FailingSource<RawRecord, ?, ?> paced(JobOptions options, String topicOption, String counter) {
        return new FailingSource<>(ShelfstreamJob.topicSourceBuilder(options, options.get(topicOption)).build(),
                TypeInformation.of(RawRecord.class), counter, GREEN_RECORDS_PER_SECOND);
    }

    private static void waitForCheckpoints(JobID job, int more) throws InterruptedException {
        long now = JobMetrics.jobGauge(METRICS, job, "numberOfCompletedCheckpoints");
        PipelineFixture.waitUntil(more + " more checkpoints of " + job,
                () -> JobMetrics.jobGauge(METRICS, job, "numberOfCompletedCheckpoints") >= now + more);
    }
}
