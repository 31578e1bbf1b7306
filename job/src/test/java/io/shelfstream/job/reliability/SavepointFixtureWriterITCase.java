package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.LibraryAssertions;
import io.shelfstream.job.testutils.LibraryExpectation;
import io.shelfstream.job.testutils.LibraryInput;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;

/**
 * Writes the savepoint fixture of the current version for {@link OldSavepointRestoreITCase}; skipped unless asked
 * for. Run it alone, when a version is released, with that version's number:
 *
 * <pre>
 * ./mvnw -B verify -pl job -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=SavepointFixtureWriterITCase -Dshelfstream.savepoint-fixture.version=0.2.0
 * </pre>
 *
 * <p>It generates a small library (60 books, 20 students, 300 checkouts, 2% malformed, seed 70), loads its catalog,
 * sends every book and student event and the first two thirds of the checkouts to topics named after the version,
 * runs the job (parallelism 2, RocksDB, 500 ms checkpoints) until Qdrant shows all of them, lets two more
 * checkpoints complete (so no Qdrant or dead-letter change is still waiting for its commit), stops it with a
 * savepoint in canonical format, and writes {@code src/test/resources/savepoints/<version>/}: the savepoint, every
 * Qdrant point, and a manifest with the library's options, the records consumed (count and SHA-256 per topic), the
 * topics' end offsets, the names the state refers to and the job options.
 */
@EnabledIfSystemProperty(named = "shelfstream.savepoint-fixture.version", matches = "\\d+\\.\\d+\\.\\d+")
class SavepointFixtureWriterITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SavepointFixtureWriterITCase.class);

    private static final int PARTITIONS = 2;
    private static final String PARALLELISM = "2";
    private static final String CHECKPOINT_INTERVAL = "500ms";
    private static final String MAX_RECORD_BYTES = String.valueOf(16 * 1024);
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(OldSavepointRestoreITCase.rocksDb(METRICS.addToConfiguration(new Configuration())))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    Path temp;

    @Test
    void writesTheSavepointFixtureOfThisVersion() throws Exception {
        String version = System.getProperty("shelfstream.savepoint-fixture.version");
        Path out = Path.of("src/test/resources/savepoints", version).toAbsolutePath();
        GeneratorOptions library = GeneratorOptions.builder()
                .setBooks(60).setStudents(20).setCheckouts(300).setSeed(70)
                .setMalformedFraction(0.02).setMaxRecordBytes(16 * 1024).build();
        LibraryInput input = LibraryInput.generate(library);
        // the three checkouts of books never added are at the end of the list, after the consumed part
        int consumedCheckouts = input.checkouts.size() * 2 / 3;
        List<GeneratedRecord> checkouts = input.checkouts.subList(0, consumedCheckouts);
        LibraryExpectation expected = new LibraryExpectation(input.library, input.books, input.students, checkouts);

        String prefix = "v" + version.replace('.', '_') + "_";
        Map<EventTopic, String> topics = new TreeMap<>();
        for (EventTopic t : EventTopic.values()) {
            topics.put(t, prefix + t.defaultName());
        }
        Map<String, String> collections = Map.of("books", prefix + "books", "students", prefix + "students");
        try (PipelineFixture fixture = PipelineFixture.create(PARTITIONS, topics, collections.get("books"),
                collections.get("students"))) {
            fixture.loadCatalog(input.library);
            fixture.send(EventTopic.BOOKS, input.books);
            fixture.send(EventTopic.STUDENTS, input.students);
            fixture.send(EventTopic.CHECKOUTS, checkouts);

            JobOptions options = fixture.options()
                    .with("kafka.group-id", prefix + "group")
                    .with("parallelism", PARALLELISM)
                    .with("record.max-bytes", MAX_RECORD_BYTES)
                    .with("checkpoint.interval", CHECKPOINT_INTERVAL);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            ShelfstreamJob.configure(env, options);
            PipelineFixture.job(options, false).build(env);
            JobClient job = env.executeAsync("savepoint-fixture-" + version);
            JobID id = job.getJobID();

            PipelineFixture.waitUntil("Qdrant shows every consumed record",
                    () -> LibraryAssertions.checkoutCountsMatch(fixture, expected));
            long malformed = Stream.of(input.books, input.students, checkouts).flatMap(List::stream)
                    .filter(GeneratedRecord::isMalformed).count();
            PipelineFixture.waitUntil("every dead letter committed", () -> fixture.kafka()
                    .readAll(fixture.deadLetterTopic(), (int) malformed, Duration.ofSeconds(2)).size() >= malformed);
            long checkpoints = JobMetrics.jobGauge(METRICS, id, "numberOfCompletedCheckpoints");
            PipelineFixture.waitUntil("two more checkpoints", () ->
                    JobMetrics.jobGauge(METRICS, id, "numberOfCompletedCheckpoints") >= checkpoints + 2);
            String savepoint = job.stopWithSavepoint(false, temp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            LibraryAssertions.assertDeadLetters(fixture, expected,
                    Stream.of(input.books, input.students, checkouts).flatMap(List::stream).toList());

            deleteRecursively(out);
            Files.createDirectories(out);
            SavepointFixture.copy(Path.of(java.net.URI.create(savepoint)), out.resolve(SavepointFixture.SAVEPOINT_DIR));
            int points = SavepointFixture.writePoints(out.resolve(SavepointFixture.POINTS), fixture.qdrant(),
                    new TreeMap<>(collections));

            Properties m = new Properties();
            m.setProperty("version", version);
            m.setProperty("written", LocalDate.now().toString());
            m.setProperty("flink.version", org.apache.flink.runtime.util.EnvironmentInformation.getVersion());
            m.setProperty("library.books", String.valueOf(library.books()));
            m.setProperty("library.students", String.valueOf(library.students()));
            m.setProperty("library.checkouts", String.valueOf(library.checkouts()));
            m.setProperty("library.seed", String.valueOf(library.seed()));
            m.setProperty("library.malformed-fraction", String.valueOf(library.malformedFraction()));
            m.setProperty("library.max-record-bytes", String.valueOf(library.maxRecordBytes()));
            m.setProperty("consumed.books", String.valueOf(input.books.size()));
            m.setProperty("consumed.students", String.valueOf(input.students.size()));
            m.setProperty("consumed.checkouts", String.valueOf(consumedCheckouts));
            m.setProperty("digest.books", SavepointFixture.digest(input.books));
            m.setProperty("digest.students", SavepointFixture.digest(input.students));
            m.setProperty("digest.checkouts", SavepointFixture.digest(checkouts));
            m.setProperty("partitions", String.valueOf(PARTITIONS));
            for (EventTopic t : EventTopic.values()) {
                m.setProperty("topic." + t.defaultName(), topics.get(t));
                SavepointFixture.endOffsets(fixture.kafka(), topics.get(t)).forEach((p, o) ->
                        m.setProperty("offsets." + t.defaultName() + "." + p, String.valueOf(o)));
            }
            m.setProperty("kafka.group-id", prefix + "group");
            m.setProperty("collection.books", collections.get("books"));
            m.setProperty("collection.students", collections.get("students"));
            m.setProperty("option.parallelism", PARALLELISM);
            m.setProperty("option.checkpoint.interval", CHECKPOINT_INTERVAL);
            m.setProperty("option.record.max-bytes", MAX_RECORD_BYTES);
            m.setProperty("state.backend", "rocksdb (incremental checkpoints), canonical savepoint, compressed");
            m.setProperty("qdrant.points", String.valueOf(points));
            m.setProperty("qdrant.books", String.valueOf(expected.presentBooks.size()));
            m.setProperty("qdrant.students", String.valueOf(expected.presentStudents.size()));
            m.setProperty("dead-letters", String.valueOf(malformed));
            try (Writer w = Files.newBufferedWriter(out.resolve(SavepointFixture.MANIFEST), StandardCharsets.UTF_8)) {
                m.store(w, "Savepoint fixture of shelfstream " + version + ", written by SavepointFixtureWriterITCase");
            }

            long bytes;
            try (Stream<Path> files = Files.walk(out)) {
                bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            LOG.info("Savepoint fixture of {} written to {}: {} points, {} bytes", version, out, points, bytes);
            assertThat(points).isEqualTo(expected.presentBooks.size() + expected.presentStudents.size());
            assertThat(bytes).as("fixture size").isLessThan(1024 * 1024);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
