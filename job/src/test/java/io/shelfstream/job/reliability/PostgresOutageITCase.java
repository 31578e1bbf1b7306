package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.shelfstream.connectors.local.LocalPostgres;
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
 * PostgreSQL, the catalog, stops while the job reads all three topics (book and student lookups in flight,
 * checkouts being joined) and comes back after several checkpoint intervals: the lookups' retries run out, the job
 * fails over and restarts from its last checkpoint until the catalog answers again, and then Qdrant holds exactly
 * the expected library (checkout counts and taste vectors included) and the dead-letter topic each bad record
 * exactly once, with no {@code catalog_row_missing} for a row that exists. {@code CatalogOutageITCase} does the same
 * for the books topic alone with catalog changes around the outage.
 *
 * <p>The readers are paced slowly, so book and student events are still being looked up when the catalog goes.
 */
class PostgresOutageITCase {

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(500);
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    @Test
    void aCatalogStoppedMidStreamOverAllTopicsLosesNothingAndDuplicatesNothing() throws Exception {
        LibraryInput input = LibraryInput.generate(GeneratorOptions.builder()
                .setBooks(160 * SCALE).setStudents(80 * SCALE).setCheckouts(800 * SCALE).setSeed(33)
                .setMalformedFraction(0.01).setMaxRecordBytes(16 * 1024).build());
        LocalPostgres postgres = LocalServices.postgres();

        try (PipelineFixture fixture = PipelineFixture.create(2);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            input.loadAndSend(fixture);
            JobOptions options = fixture.options()
                    .with("parallelism", "2")
                    .with("record.max-bytes", String.valueOf(16 * 1024))
                    .with("checkpoint.interval", CHECKPOINT_INTERVAL.toMillis() + "ms")
                    .with("catalog.retries", "2")
                    .with("catalog.retry-max-delay", "500ms")
                    .with("embedding.batch.max-records", "16");

            MidStreamOutage.Result outage = MidStreamOutage.run(options, METRICS, input.all().size(), 15, Map.of(),
                    60, CHECKPOINT_INTERVAL.multipliedBy(16), postgres::stop, postgres::restart);

            assertThat(outage.restarts()).as("the lookups failed the job over during the outage")
                    .isGreaterThanOrEqualTo(1);
            LibraryAssertions.assertQdrantHoldsLibrary(fixture, input.expected, options.tasteSettings(),
                    options.positiveInt("taste.recent-books"), embedder);
            LibraryAssertions.assertDeadLetters(fixture, input.expected, input.all());
        }
    }
}
