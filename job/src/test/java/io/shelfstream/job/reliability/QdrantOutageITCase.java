package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.LibraryAssertions;
import io.shelfstream.job.testutils.LibraryInput;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.generator.GeneratorOptions;

/**
 * The Qdrant-compatible server refuses every call (UNAVAILABLE) for twenty checkpoint intervals while the whole
 * pipeline runs: commits are retried by the sink and then by Flink's committer, and either checkpoints keep
 * completing meanwhile or the job fails over and restarts cleanly; once Qdrant is back, the job finishes and
 * Qdrant and the dead-letter topic hold exactly the expected library.
 */
class QdrantOutageITCase {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantOutageITCase.class);

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(300);
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    private final LocalQdrantServer qdrant = LocalServices.qdrant();

    @AfterEach
    void clearFaults() {
        qdrant.clearFaults();
    }

    @Test
    void anOutageLongerThanManyCheckpointIntervalsDelaysTheJobButLosesNothing() throws Exception {
        long started = System.nanoTime();
        LibraryInput input = LibraryInput.generate(GeneratorOptions.builder()
                .setBooks(80 * SCALE).setStudents(30 * SCALE).setCheckouts(3_000 * SCALE).setSeed(4)
                .setMalformedFraction(0.01).setMaxRecordBytes(16 * 1024).build());
        Duration outage = CHECKPOINT_INTERVAL.multipliedBy(20);

        try (PipelineFixture fixture = PipelineFixture.create(2);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            input.loadAndSend(fixture);
            JobOptions options = fixture.options()
                    .with("parallelism", "2")
                    .with("record.max-bytes", String.valueOf(16 * 1024))
                    .with("checkpoint.interval", CHECKPOINT_INTERVAL.toMillis() + "ms")
                    .with("embedding.batch.max-records", "16");
            StreamExecutionEnvironment env = PipelineFixture.restartingEnvironment(options, Duration.ofMillis(200));
            // paced, so the stream is still flowing when Qdrant goes away
            PipelineFixture.pacedJob(options, 250, null).build(env);
            JobClient job = env.executeAsync("qdrant-outage");
            JobID id = job.getJobID();

            // the outage starts once the first commit reached Qdrant, while the paced stream is still flowing
            PipelineFixture.waitUntil("the first books in Qdrant", () -> fixture.count(fixture.booksCollection()) > 0);
            long booksBefore = fixture.count(fixture.booksCollection());
            long injectedBefore = qdrant.injectedFailures();
            long checkpointsBefore = JobMetrics.jobGauge(METRICS, id, "numberOfCompletedCheckpoints");
            qdrant.failFor(outage);
            long outageStarted = System.nanoTime();
            Thread.sleep(outage.toMillis());
            // On a loaded machine one checkpoint (a barrier waiting for an embedding batch) can outlast the outage;
            // the one in flight then completes just after it, against commits that failed during it.
            long deadline = System.nanoTime() + outage.multipliedBy(2).toNanos();
            long checkpointsDuring;
            long restartsDuring;
            do {
                checkpointsDuring = JobMetrics.jobGauge(METRICS, id, "numberOfCompletedCheckpoints")
                        - checkpointsBefore;
                restartsDuring = JobMetrics.restarts(METRICS, id);
                if (checkpointsDuring > 0 || restartsDuring > 0) {
                    break;
                }
                Thread.sleep(100);
            } while (System.nanoTime() < deadline);
            LOG.info("Qdrant unavailable for {} ms with {} books stored: {} checkpoints completed, {} restarts",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageStarted), booksBefore,
                    checkpointsDuring, restartsDuring);

            JobExecutionResult result = job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
            long refused = qdrant.injectedFailures() - injectedBefore;
            long retries = JobMetrics.counter(METRICS, result.getJobID(), "Committer", "retries");
            long restarts = JobMetrics.restarts(METRICS, result.getJobID());
            LOG.info("{} calls refused, {} sink retries, {} restarts, {} s in all", refused, retries, restarts,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

            assertThat(refused).as("calls refused during the outage").isPositive();
            assertThat(checkpointsDuring > 0 || restartsDuring > 0)
                    .as("checkpoints completed during the outage or just after it (%d) or the job restarted (%d)", checkpointsDuring,
                            restartsDuring)
                    .isTrue();
            LibraryAssertions.assertQdrantHoldsLibrary(fixture, input.expected, options.tasteSettings(),
                    options.positiveInt("taste.recent-books"), embedder);
            LibraryAssertions.assertDeadLetters(fixture, input.expected, input.all());
        }
    }
}
