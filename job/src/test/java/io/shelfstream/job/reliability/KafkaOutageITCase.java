package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.shelfstream.connectors.local.LocalKafka;
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
 * The Kafka broker stops in the middle of the stream and comes back on the same address after several checkpoint
 * intervals. Meanwhile the sources cannot fetch, offsets cannot be committed to Kafka, and the dead-letter sink can
 * neither write nor commit its transactions, so checkpoints stall or fail and the job may fail over. Once the
 * broker is back, the job finishes by itself, and Qdrant holds exactly the expected library (checkout counts and
 * taste vectors included) and the dead-letter topic each bad record exactly once.
 *
 * <p>The broker is one of this test's own (the shared one stays up for other tests); the readers fetch at most
 * 4 KB per partition at a time, so they depend on the broker all along rather than holding the small topics in
 * their fetch buffers.
 */
class KafkaOutageITCase {

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(500);
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    @Test
    void aBrokerStoppedMidStreamAndRestartedLosesNothingAndDuplicatesNothing() throws Exception {
        LibraryInput input = LibraryInput.generate(GeneratorOptions.builder()
                .setBooks(80 * SCALE).setStudents(30 * SCALE).setCheckouts(3_000 * SCALE).setSeed(22)
                .setMalformedFraction(0.01).setMaxRecordBytes(16 * 1024).build());

        try (LocalKafka kafka = LocalKafka.startRestartable();
                PipelineFixture fixture = PipelineFixture.create(2, kafka);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            input.loadAndSend(fixture);
            JobOptions options = fixture.options()
                    .with("parallelism", "2")
                    .with("record.max-bytes", String.valueOf(16 * 1024))
                    .with("checkpoint.interval", CHECKPOINT_INTERVAL.toMillis() + "ms")
                    .with("embedding.batch.max-records", "16");

            MidStreamOutage.Result outage = MidStreamOutage.run(options, METRICS, input.all().size(), 150,
                    Map.of("max.partition.fetch.bytes", "4096", "fetch.max.bytes", "8192"),
                    input.all().size() * 3L / 10,
                    CHECKPOINT_INTERVAL.multipliedBy(16), kafka::stopBroker, kafka::startBroker);

            assertThat(outage.emittedAtRestart()).as("records emitted by the end of the outage")
                    .isLessThan(outage.total());
            LibraryAssertions.assertQdrantHoldsLibrary(fixture, input.expected, options.tasteSettings(),
                    options.positiveInt("taste.recent-books"), embedder);
            LibraryAssertions.assertDeadLetters(fixture, input.expected, input.all());
        }
    }
}
