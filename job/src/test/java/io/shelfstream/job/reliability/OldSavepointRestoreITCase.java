package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.LibraryAssertions;
import io.shelfstream.job.testutils.LibraryExpectation;
import io.shelfstream.job.testutils.LibraryInput;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.EventJson;
import io.shelfstream.schemas.LibraryEvent;
import io.shelfstream.schemas.StudentEvent;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.generator.GeneratedRecord;

/**
 * The current job restores the savepoint of each released version kept in {@code src/test/resources/savepoints/}
 * (written by {@link SavepointFixtureWriterITCase} when that version was released) and carries on: the topics the
 * savepoint's Kafka source state names are recreated with the same records at the same offsets (checked against
 * the manifest), Qdrant is given the points it held at the savepoint, updates of unchanged books and students and
 * the rest of the checkouts arrive, and Qdrant
 * must then hold exactly the whole library (checkout counts, recent books and taste vectors over checkouts from
 * before and after the savepoint), the dead-letter topic each bad record sent after the savepoint once, and the
 * restored job must have joined exactly the checkouts after the savepoint's offsets and embedded no text again
 * (the content hashes in its state were restored).
 *
 * <p>Processing-time state ages while a fixture sits in the repository: {@code state.idle-ttl} (30 days) applies
 * to students' pending checkouts and removed-book markers, and {@code checkouts.max-wait} to checkouts waiting for
 * a book. The fixture is written with no checkout waiting and the records after it do not depend on that state, so
 * the test's outcome does not depend on its age.
 */
class OldSavepointRestoreITCase {

    private static final Logger LOG = LoggerFactory.getLogger(OldSavepointRestoreITCase.class);

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(rocksDb(METRICS.addToConfiguration(new Configuration())))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    Path temp;

    static Configuration rocksDb(Configuration c) {
        c.setString("state.backend.type", "rocksdb");
        c.setString("execution.checkpointing.incremental", "true");
        c.setString("execution.checkpointing.snapshot-compression", "true");
        return c;
    }

    private static final Instant AFTER = Instant.parse("2026-12-01T09:00:00Z");

    private static GeneratedRecord record(LibraryEvent e) {
        return new GeneratedRecord(e instanceof BookEvent ? EventTopic.BOOKS : EventTopic.STUDENTS, e.key(),
                EventJson.toBytes(e), e, null);
    }

    /** The versions with a fixture, oldest first. */
    static Stream<String> versions() throws Exception {
        URL root = OldSavepointRestoreITCase.class.getResource("/savepoints");
        assertThat(root).as("savepoint fixtures on the test class path").isNotNull();
        try (Stream<Path> dirs = Files.list(Path.of(root.toURI()))) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "savepoint of {0}")
    @MethodSource("versions")
    void theCurrentJobRestoresASavepointOfAReleasedVersionAndEndsWithTheWholeLibrary(String version)
            throws Exception {
        Path dir = Path.of(OldSavepointRestoreITCase.class.getResource("/savepoints/" + version).toURI());
        SavepointFixture fixtureFiles = SavepointFixture.read(dir);
        LibraryInput input = LibraryInput.generate(fixtureFiles.generatorOptions());
        Map<EventTopic, List<GeneratedRecord>> consumed = fixtureFiles.consumed(input);
        for (EventTopic t : EventTopic.values()) {
            assertThat(SavepointFixture.digest(consumed.get(t)))
                    .as("the %s records the %s savepoint consumed, generated again (a changed generator cannot "
                            + "reproduce them: keep the old generator's output, or write the records into the fixture)",
                            t.defaultName(), version)
                    .isEqualTo(fixtureFiles.get("digest." + t.defaultName()));
        }
        LibraryExpectation before = new LibraryExpectation(input.library, input.books, input.students,
                consumed.get(EventTopic.CHECKOUTS));
        // after the savepoint: updates of a few books and students whose catalog rows did not change (their texts
        // must not be embedded again), then the rest of the checkouts
        List<GeneratedRecord> bookUpdates = new ArrayList<>();
        before.presentBooks.stream().sorted().limit(5).forEach(id -> bookUpdates.add(record(BookEvent.of(
                "e-after-" + id, BookEvent.BookEventType.BOOK_UPDATED, AFTER, id))));
        List<GeneratedRecord> studentUpdates = new ArrayList<>();
        before.presentStudents.stream().sorted().limit(3).forEach(id -> studentUpdates.add(record(new StudentEvent(
                "e-after-" + id, StudentEvent.StudentEventType.STUDENT_UPDATED, AFTER, id))));
        List<GeneratedRecord> checkoutsAfter = input.checkouts.subList(consumed.get(EventTopic.CHECKOUTS).size(),
                input.checkouts.size());
        List<GeneratedRecord> after = new ArrayList<>(bookUpdates);
        after.addAll(studentUpdates);
        after.addAll(checkoutsAfter);
        List<GeneratedRecord> allBooks = new ArrayList<>(input.books);
        allBooks.addAll(bookUpdates);
        List<GeneratedRecord> allStudents = new ArrayList<>(input.students);
        allStudents.addAll(studentUpdates);
        LibraryExpectation expected = new LibraryExpectation(input.library, allBooks, allStudents, input.checkouts);
        assertThat(expected.presentBooks).isEqualTo(before.presentBooks);
        assertThat(expected.presentStudents).isEqualTo(before.presentStudents);

        Map<String, String> collections = new TreeMap<>(Map.of("books", fixtureFiles.get("collection.books"),
                "students", fixtureFiles.get("collection.students")));
        try (PipelineFixture fixture = PipelineFixture.create(fixtureFiles.getInt("partitions"),
                fixtureFiles.topics(), collections.get("books"), collections.get("students"));
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            fixture.loadCatalog(input.library);
            for (EventTopic t : EventTopic.values()) {
                assertThat(SavepointFixture.endOffsets(fixture.kafka(), fixture.topic(t)).values())
                        .as("topic %s is new", fixture.topic(t)).containsOnly(0L);
                fixture.send(t, consumed.get(t));
                Map<Integer, Long> offsets = SavepointFixture.endOffsets(fixture.kafka(), fixture.topic(t));
                offsets.forEach((p, o) -> assertThat(o).as("end offset of %s partition %d", fixture.topic(t), p)
                        .isEqualTo(Long.parseLong(fixtureFiles.get("offsets." + t.defaultName() + "." + p))));
            }
            Map<String, Integer> seeded = fixtureFiles.seedQdrant(dir, fixture.qdrant(), collections);
            assertThat(seeded.get("books")).isEqualTo(fixtureFiles.getInt("qdrant.books"))
                    .isEqualTo(before.presentBooks.size());
            assertThat(seeded.get("students")).isEqualTo(fixtureFiles.getInt("qdrant.students"))
                    .isEqualTo(before.presentStudents.size());

            Path savepoint = temp.resolve("savepoint");
            SavepointFixture.copy(dir.resolve(SavepointFixture.SAVEPOINT_DIR), savepoint);
            JobOptions options = fixture.options()
                    .with("kafka.group-id", fixtureFiles.get("kafka.group-id"))
                    .with("parallelism", fixtureFiles.get("option.parallelism"))
                    .with("record.max-bytes", fixtureFiles.get("option.record.max-bytes"))
                    .with("checkpoint.interval", fixtureFiles.get("option.checkpoint.interval"))
                    // the checkouts of books never added are dead-lettered after this wait (the job is unbounded)
                    .with("checkouts.max-wait", "2s");
            Configuration restore = new Configuration();
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restore);
            ShelfstreamJob.configure(env, options);
            PipelineFixture.job(options, false).build(env);
            JobClient job = env.executeAsync("restore-" + version);
            JobID id = job.getJobID();
            long joined;
            long embedded;
            try {
                fixture.send(EventTopic.BOOKS, bookUpdates);
                fixture.send(EventTopic.STUDENTS, studentUpdates);
                fixture.send(EventTopic.CHECKOUTS, checkoutsAfter);
                PipelineFixture.waitUntil("Qdrant shows every checkout",
                        () -> LibraryAssertions.checkoutCountsMatch(fixture, expected));
                long dead = after.stream().filter(GeneratedRecord::isMalformed).count()
                        + expected.checkoutsWithoutBook.size();
                PipelineFixture.waitUntil(dead + " dead letters committed", () -> fixture.kafka()
                        .readAll(fixture.deadLetterTopic(), (int) dead, Duration.ofSeconds(2)).size() >= dead);
                long checkpoints = JobMetrics.jobGauge(METRICS, id, "numberOfCompletedCheckpoints");
                PipelineFixture.waitUntil("two more checkpoints", () ->
                        JobMetrics.jobGauge(METRICS, id, "numberOfCompletedCheckpoints") >= checkpoints + 2);
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
                assertThat(JobMetrics.restarts(METRICS, id)).as("restarts of the restored job").isZero();
                joined = JobMetrics.counter(METRICS, id, "Join checkouts", "checkoutsJoined");
                embedded = JobMetrics.counter(METRICS, id, "Embed", "embedding.docs");
            } finally {
                job.cancel().get();
            }

            long createdAfter = checkoutsAfter.stream().filter(r -> !r.isMalformed()
                    && ((CheckoutEvent) r.event()).eventType() == CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED
                    && !expected.checkoutsWithoutBook.contains(((CheckoutEvent) r.event()).checkoutId())).count();
            LOG.info("Restored the {} savepoint: {} records after it, {} checkouts joined, {} texts embedded", version,
                    after.size(), joined, embedded);
            assertThat(joined).as("checkouts joined by the restored job: those after the savepoint's offsets")
                    .isEqualTo(createdAfter);
            assertThat(embedded).as("texts embedded again by the restored job").isZero();
            LibraryAssertions.assertQdrantHoldsLibrary(fixture, expected, options.tasteSettings(),
                    options.positiveInt("taste.recent-books"), embedder);
            LibraryAssertions.assertDeadLetters(fixture, expected, after);
        }
    }
}
