package io.shelfstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.taste.StudentTaste;
import io.shelfstream.job.taste.TasteSettings;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.LibraryAssertions;
import io.shelfstream.job.testutils.LibraryExpectation;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.CatalogStudent;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.EventJson;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * The whole pipeline over a generated library on all three topics (thousands of events, RocksDB state, parallelism
 * 2): Qdrant ends with exactly the books and students the events and catalog say; each student's vector equals the
 * taste-vector formula computed here from the profile text's own embedding and the checked-out books' vectors;
 * book and student checkout counts and recent books match the events; removed entities are gone; checkouts of
 * books that never get a vector are dead-lettered; and the model embedded each book and student text once, however
 * many checkouts there were.
 *
 * <p>Checkouts of books that some event removes are left out of the input: whether such a checkout meets the
 * book before or after its removal depends on how the topics interleave, so its effect is not determined.
 * Size: {@code -Dshelfstream.test.scale=N} multiplies the library.
 */
class LibraryPipelineITCase {

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final int MAX_RECORD_BYTES = 16 * 1024;
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
    void qdrantHoldsTheLibraryWithTasteVectorsAndCheckoutsCostNoModelCall() throws Exception {
        LibraryGenerator library = LibraryGenerator.create(GeneratorOptions.builder()
                .setBooks(240 * SCALE).setStudents(80 * SCALE).setCheckouts(2_500 * SCALE).setSeed(77)
                .setMalformedFraction(0.01).setMaxRecordBytes(MAX_RECORD_BYTES).build());
        List<GeneratedRecord> books = list(library.records(EventTopic.BOOKS));
        List<GeneratedRecord> students = list(library.records(EventTopic.STUDENTS));
        Set<String> removedBooks = LibraryExpectation.removedBooks(books);
        List<GeneratedRecord> checkouts = new ArrayList<>();
        for (GeneratedRecord r : library.records(EventTopic.CHECKOUTS)) {
            if (r.isMalformed() || !removedBooks.contains(((CheckoutEvent) r.event()).bookId())) {
                checkouts.add(r);
            }
        }
        // three checkouts of books that no event ever adds
        for (int i = 0; i < 3; i++) {
            CheckoutEvent e = new CheckoutEvent("e-nobook-" + i, CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED,
                    Instant.parse("2026-09-02T10:00:00Z"), "c-nobook-" + i, library.students().get(i).studentId(),
                    "b-never-added-" + i);
            checkouts.add(new GeneratedRecord(EventTopic.CHECKOUTS, e.key(), EventJson.toBytes(e), e, null));
        }
        LibraryExpectation expected = new LibraryExpectation(library, books, students, checkouts);
        assertThat(removedBooks).as("the library removes some books").isNotEmpty();
        assertThat(expected.presentStudents.size()).as("some students are removed")
                .isLessThan(library.students().size());
        assertThat(expected.checkoutEvents).isGreaterThan(2_000);

        try (PipelineFixture fixture = PipelineFixture.create(2);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            fixture.loadCatalog(library);
            fixture.send(EventTopic.BOOKS, books);
            fixture.send(EventTopic.STUDENTS, students);
            fixture.send(EventTopic.CHECKOUTS, checkouts);

            JobOptions options = fixture.options()
                    .with("parallelism", "2")
                    .with("record.max-bytes", String.valueOf(MAX_RECORD_BYTES))
                    .with("taste.profile-weight", "0.35")
                    .with("taste.half-life", "7d")
                    .with("taste.recent-books", "5");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            ShelfstreamJob.configure(env, options);
            PipelineFixture.job(options, true).build(env);
            JobExecutionResult result = env.execute("library-pipeline");

            // the model embedded each entity's text at most once, checkouts added nothing (an add still waiting in
            // the embedding batch when its removal arrives is dropped unembedded, hence the lower bound)
            long embedded = counter(result, "Embed books", "embedding.docs")
                    + counter(result, "Embed students", "embedding.docs");
            assertThat(embedded).as("texts embedded").isBetween(expected.textsEmbedded - expected.removals,
                    expected.textsEmbedded);
            assertThat(counter(result, "Join checkouts", "checkoutsJoined"))
                    .isEqualTo(expected.bookCheckouts.values().stream().mapToLong(Long::longValue).sum());

            // books: exactly the present ones, each with its checkout count
            Map<String, RetrievedPoint> bookPoints = fixture.points(fixture.booksCollection());
            Map<String, String> bookByPoint = new HashMap<>();
            for (String id : expected.presentBooks) {
                bookByPoint.put(PointIds.book(id).toString(), id);
            }
            assertThat(bookPoints.keySet()).isEqualTo(bookByPoint.keySet());
            for (Map.Entry<String, RetrievedPoint> e : bookPoints.entrySet()) {
                String bookId = bookByPoint.get(e.getKey());
                assertThat(Payloads.toJava(e.getValue().getPayloadMap().get("checkout_count")))
                        .as("checkout_count of %s", bookId)
                        .isEqualTo(expected.bookCheckouts.getOrDefault(bookId, 0L));
            }

            // students: exactly the present ones, each vector the taste formula over its checkouts
            TasteSettings taste = options.tasteSettings();
            Map<String, RetrievedPoint> studentPoints = fixture.points(fixture.studentsCollection());
            Set<String> expectedStudentPoints = new HashSet<>();
            expected.presentStudents.forEach(id -> expectedStudentPoints.add(PointIds.student(id).toString()));
            assertThat(studentPoints.keySet()).isEqualTo(expectedStudentPoints);
            List<String> ids = new ArrayList<>(expected.presentStudents);
            List<String> texts = new ArrayList<>();
            for (String id : ids) {
                CatalogStudent row = expected.studentRows.get(id);
                texts.add(EmbeddingTexts.student(row.gradeLevel(), row.interests(), row.preferredGenres()));
            }
            float[][] profiles = embedder.embed(texts);
            int withCheckouts = 0;
            for (int i = 0; i < ids.size(); i++) {
                String studentId = ids.get(i);
                RetrievedPoint point = studentPoints.get(PointIds.student(studentId).toString());
                List<LibraryExpectation.Checkout> mine = expected.studentCheckouts.getOrDefault(studentId, List.of());
                float[] formula = LibraryAssertions.tasteFormula(profiles[i], mine, bookPoints, taste);
                assertThat(QdrantPoints.cosine(formula, QdrantPoints.vector(point, "text")))
                        .as("taste vector of %s (%d checkouts)", studentId, mine.size())
                        .isGreaterThanOrEqualTo(0.9999);
                Map<String, io.qdrant.client.grpc.JsonWithInt.Value> payload = point.getPayloadMap();
                assertThat(Payloads.toJava(payload.get("checkout_count"))).isEqualTo((long) mine.size());
                assertThat(Payloads.toJava(payload.get("taste_source")))
                        .isEqualTo(mine.isEmpty() ? "profile" : "profile+checkouts");
                assertThat(Payloads.toJava(payload.get("recent_book_ids"))).isEqualTo(LibraryAssertions.recentBooks(mine, 5));
                withCheckouts += mine.isEmpty() ? 0 : 1;
            }
            assertThat(withCheckouts).as("students with checkouts").isGreaterThan(ids.size() / 2);

            // dead letters: every malformed record once, and the checkouts without a book vector
            long malformed = books.stream().filter(GeneratedRecord::isMalformed).count()
                    + students.stream().filter(GeneratedRecord::isMalformed).count()
                    + checkouts.stream().filter(GeneratedRecord::isMalformed).count();
            int expectedDead = (int) malformed + expected.checkoutsWithoutBook.size();
            List<ConsumerRecord<byte[], byte[]>> dead = fixture.kafka().readAll(fixture.deadLetterTopic(),
                    expectedDead, Duration.ofSeconds(30));
            assertThat(dead).hasSize(expectedDead);
            Set<String> missingBook = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                DeadLetter letter = DeadLetter.fromJson(r.value());
                if (letter.reason() == DeadLetterReason.BOOK_VECTOR_MISSING) {
                    missingBook.add(new String(letter.key(), StandardCharsets.UTF_8));
                }
            }
            assertThat(missingBook).isEqualTo(expected.checkoutsWithoutBook);
        }
    }

    private static long counter(JobExecutionResult result, String operator, String name) {
        return JobMetrics.counter(METRICS, result.getJobID(), operator, name);
    }

    private static List<GeneratedRecord> list(Iterable<GeneratedRecord> records) {
        List<GeneratedRecord> out = new ArrayList<>();
        records.forEach(out::add);
        return out;
    }
}
