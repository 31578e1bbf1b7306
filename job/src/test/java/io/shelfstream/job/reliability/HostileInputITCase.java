package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.CatalogBook;
import io.shelfstream.schemas.CatalogLoader;
import io.shelfstream.schemas.CatalogStudent;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.PointIds;

/**
 * Hostile input on every topic, one record per case, each with the outcome the contract gives it written next to
 * it: a dead letter with its reason, a point, or no effect at all. The job runs over all of it in one go and must
 * finish (bad bytes never fail it); then every case is checked: the dead-letter topic holds exactly the expected
 * reasons at the expected positions, Qdrant holds exactly the expected points with their ids and texts intact
 * (every Unicode plane, emoji, right-to-left text, combining marks), a catalog description of 100,000 characters
 * embeds truncated to 256 tokens, and checkout counts show what duplicate and unknown-entity checkouts do.
 */
class HostileInputITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    private static final int MAX_RECORD_BYTES = 64 * 1024;
    private static final String AT = "2026-09-01T08:00:00Z";
    private static final String ID_128 = "b-" + "x".repeat(126);
    private static final String ID_129 = "b-" + "x".repeat(127);
    /** Astral plane letters, emoji, Hebrew (RTL), a combining acute accent, CJK. */
    private static final String UNICODE_BOOK = "b-\uD835\uDD18\uD83D\uDE00-\u05E2\u05D1\u05E8\u05D9\u05EA-e\u0301-\u4E2D\u6587";
    /** An emoji ZWJ sequence and Arabic. */
    private static final String UNICODE_STUDENT = "s-\uD83D\uDC69\u200D\uD83D\uDE80-\u0645\u0631\u062D\u0628\u0627";
    private static final String UNICODE_TITLE = "\uD835\uDC00\uD835\uDC01 \u05E1\u05E4\u05E8 \u0627\u0644\u0643\u062A\u0627\u0628 "
            + "\uD83D\uDCDA \u00C5ngstr\u00F6m \u0928\u092E\u0938\u094D\u0924\u0947 \uD800\uDF48 \u1F00";

    /** What the contract says a record ends as. */
    private record Outcome(DeadLetterReason deadLetter, String note) {
        static Outcome dead(DeadLetterReason reason) {
            return new Outcome(reason, null);
        }

        static Outcome noDeadLetter(String note) {
            return new Outcome(null, note);
        }
    }

    private record Case(String name, EventTopic topic, byte[] key, byte[] value, Outcome outcome) {
    }

    @Test
    void everyHostileRecordEndsWhereTheContractSaysAndTheJobKeepsRunning() throws Exception {
        String longDescription = longDescription(100_000);
        List<CatalogBook> books = List.of(
                book(ID_128, "The longest id", "A book whose id has 128 characters."),
                book("b-dup", "Twice told", "Sent twice."),
                book("b-late-add", "Late add", "Removed before it was added."),
                book("b-update-first", "Update first", "Updated before it was added."),
                book("b-removed", "Gone", "Added then removed."),
                book("b-huge-ok", "Padded", "Its event carries a large unknown field."),
                book("b-long", "Endless", longDescription),
                book(UNICODE_BOOK, UNICODE_TITLE, "\u00E9t\u00E9 \u2014 \u0639\u0631\u0628\u064A \u2014 \uD83C\uDF0D"),
                // the id half a surrogate pair turns into when encoded as UTF-8: same point id
                book("b-?", "Question mark", "Its point must not be deleted by an event naming half a surrogate pair."));
        List<CatalogStudent> students = List.of(
                new CatalogStudent(UNICODE_STUDENT, 5, "\u5B87\u5B99, \uD83E\uDD16 robots, \u05DE\u05D3\u05E2",
                        List.of("science")),
                new CatalogStudent("s-dup", 4, "horses", List.of("nature")));

        List<Case> cases = new ArrayList<>();
        // ---------------------------------------------------------------- books
        cases.add(new Case("truncated JSON", EventTopic.BOOKS, key("b-x"),
                utf8("{\"event_id\":\"e\",\"event_type\":\"book_added\","), Outcome.dead(DeadLetterReason.NOT_JSON)));
        cases.add(new Case("invalid UTF-8 in an id", EventTopic.BOOKS, key("b-x"),
                concat(utf8("{\"event_id\":\"e\",\"event_type\":\"book_added\",\"occurred_at\":\"" + AT
                        + "\",\"book_id\":\"b-"), new byte[] {(byte) 0xC3, (byte) 0x28}, utf8("\"}")),
                Outcome.dead(DeadLetterReason.NOT_UTF8)));
        cases.add(new Case("byte order mark", EventTopic.BOOKS, key("b-dup"),
                concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bookEvent("e-bom", "book_added", "b-dup")),
                Outcome.dead(DeadLetterReason.NOT_JSON)));
        cases.add(new Case("nested 200 deep", EventTopic.BOOKS, key("b-dup"),
                withExtra(bookEvent("e-deep", "book_added", "b-dup"), "[".repeat(200) + "]".repeat(200)),
                Outcome.dead(DeadLetterReason.TOO_DEEP)));
        cases.add(new Case("larger than record.max-bytes", EventTopic.BOOKS, key("b-dup"),
                withExtra(bookEvent("e-huge", "book_added", "b-dup"), "\"" + "a".repeat(MAX_RECORD_BYTES) + "\""),
                Outcome.dead(DeadLetterReason.TOO_LARGE)));
        cases.add(new Case("large unknown field under the limit", EventTopic.BOOKS, key("b-huge-ok"),
                withExtra(bookEvent("e-huge-ok", "book_added", "b-huge-ok"),
                        "\"" + "a".repeat(MAX_RECORD_BYTES - 1_000) + "\""),
                Outcome.noDeadLetter("point b-huge-ok")));
        cases.add(new Case("empty id", EventTopic.BOOKS, key(""), bookEvent("e-empty", "book_added", ""),
                Outcome.dead(DeadLetterReason.MALFORMED_ID)));
        cases.add(new Case("id of 129 characters", EventTopic.BOOKS, key(ID_129),
                bookEvent("e-129", "book_added", ID_129), Outcome.dead(DeadLetterReason.MALFORMED_ID)));
        cases.add(new Case("id of 128 characters", EventTopic.BOOKS, key(ID_128),
                bookEvent("e-128", "book_added", ID_128), Outcome.noDeadLetter("point of the 128-character id")));
        cases.add(new Case("control character in an id", EventTopic.BOOKS, key("b-bell"),
                bookEvent("e-bell", "book_added", "b-\u0007-bell"), Outcome.dead(DeadLetterReason.MALFORMED_ID)));
        cases.add(new Case("NUL in an id", EventTopic.BOOKS, key("b-nul"),
                bookEvent("e-nul", "book_added", "b-\u0000"), Outcome.dead(DeadLetterReason.MALFORMED_ID)));
        cases.add(new Case("C1 control character in an id", EventTopic.BOOKS, key("b-c1"),
                bookEvent("e-c1", "book_added", "b-\u0085"), Outcome.dead(DeadLetterReason.MALFORMED_ID)));
        cases.add(new Case("id of spaces only", EventTopic.BOOKS, key("   "),
                bookEvent("e-spaces", "book_added", "   "), Outcome.dead(DeadLetterReason.MALFORMED_ID)));
        cases.add(new Case("book whose id is a question mark", EventTopic.BOOKS, key("b-?"),
                bookEvent("e-q", "book_added", "b-?"), Outcome.noDeadLetter("point b-?")));
        cases.add(new Case("removal naming half a surrogate pair", EventTopic.BOOKS, key("b-?"),
                utf8("{\"event_id\":\"e-lone\",\"event_type\":\"book_removed\",\"occurred_at\":\"" + AT
                        + "\",\"book_id\":\"b-\\ud800\"}"),
                Outcome.dead(DeadLetterReason.MALFORMED_ID))); // b-? keeps its point
        cases.add(new Case("id as a number", EventTopic.BOOKS, key("b-x"),
                utf8("{\"event_id\":\"e-num\",\"event_type\":\"book_added\",\"occurred_at\":\"" + AT
                        + "\",\"book_id\":42}"), Outcome.dead(DeadLetterReason.MALFORMED_ID)));
        cases.add(new Case("unknown book", EventTopic.BOOKS, key("b-not-in-catalog"),
                bookEvent("e-unknown", "book_added", "b-not-in-catalog"),
                Outcome.dead(DeadLetterReason.CATALOG_ROW_MISSING)));
        cases.add(new Case("book added", EventTopic.BOOKS, key("b-dup"), bookEvent("e-dup", "book_added", "b-dup"),
                Outcome.noDeadLetter("point b-dup")));
        cases.add(new Case("the same event again", EventTopic.BOOKS, key("b-dup"),
                bookEvent("e-dup", "book_added", "b-dup"), Outcome.noDeadLetter("no second point, no change")));
        cases.add(new Case("removal before the add", EventTopic.BOOKS, key("b-late-add"),
                bookEvent("e-late-1", "book_removed", "b-late-add"), Outcome.noDeadLetter("nothing to delete")));
        cases.add(new Case("add after its removal", EventTopic.BOOKS, key("b-late-add"),
                bookEvent("e-late-2", "book_added", "b-late-add"), Outcome.noDeadLetter("point b-late-add")));
        cases.add(new Case("update before the add", EventTopic.BOOKS, key("b-update-first"),
                bookEvent("e-upd-1", "book_updated", "b-update-first"), Outcome.noDeadLetter("point")));
        cases.add(new Case("add after the update", EventTopic.BOOKS, key("b-update-first"),
                bookEvent("e-upd-2", "book_added", "b-update-first"), Outcome.noDeadLetter("same point")));
        cases.add(new Case("add", EventTopic.BOOKS, key("b-removed"), bookEvent("e-rm-1", "book_added", "b-removed"),
                Outcome.noDeadLetter("point, deleted next")));
        cases.add(new Case("removal", EventTopic.BOOKS, key("b-removed"),
                bookEvent("e-rm-2", "book_removed", "b-removed"), Outcome.noDeadLetter("no point")));
        cases.add(new Case("description of 100,000 characters", EventTopic.BOOKS, key("b-long"),
                bookEvent("e-long", "book_added", "b-long"), Outcome.noDeadLetter("point, text cut at 256 tokens")));
        cases.add(new Case("id from astral planes, emoji, RTL, combining marks", EventTopic.BOOKS,
                key(UNICODE_BOOK), bookEvent("e-unicode", "book_added", UNICODE_BOOK),
                Outcome.noDeadLetter("point with the id and title intact")));
        // ---------------------------------------------------------------- students
        cases.add(new Case("JSON array", EventTopic.STUDENTS, key("s-dup"), utf8("[1,2,3]"),
                Outcome.dead(DeadLetterReason.NOT_AN_OBJECT)));
        cases.add(new Case("unknown event type", EventTopic.STUDENTS, key("s-dup"),
                utf8("{\"event_id\":\"e-grad\",\"event_type\":\"student_graduated\",\"occurred_at\":\"" + AT
                        + "\",\"student_id\":\"s-dup\"}"), Outcome.dead(DeadLetterReason.UNKNOWN_EVENT_TYPE)));
        cases.add(new Case("field named twice", EventTopic.STUDENTS, key("s-dup"),
                utf8("{\"event_id\":\"e-twice\",\"event_type\":\"student_added\",\"occurred_at\":\"" + AT
                        + "\",\"student_id\":\"s-dup\",\"student_id\":\"s-other\"}"),
                Outcome.dead(DeadLetterReason.DUPLICATE_FIELD)));
        cases.add(new Case("no student id", EventTopic.STUDENTS, key("s-dup"),
                utf8("{\"event_id\":\"e-noid\",\"event_type\":\"student_added\",\"occurred_at\":\"" + AT + "\"}"),
                Outcome.dead(DeadLetterReason.MISSING_FIELD)));
        cases.add(new Case("unknown student", EventTopic.STUDENTS, key("s-ghost"),
                studentEvent("e-ghost", "student_added", "s-ghost"), Outcome.dead(DeadLetterReason.CATALOG_ROW_MISSING)));
        cases.add(new Case("student added", EventTopic.STUDENTS, key("s-dup"),
                studentEvent("e-s-dup", "student_added", "s-dup"), Outcome.noDeadLetter("point s-dup")));
        cases.add(new Case("the same student event again", EventTopic.STUDENTS, key("s-dup"),
                studentEvent("e-s-dup", "student_added", "s-dup"), Outcome.noDeadLetter("no change")));
        cases.add(new Case("student id with an emoji ZWJ sequence and Arabic", EventTopic.STUDENTS,
                key(UNICODE_STUDENT), studentEvent("e-s-unicode", "student_added", UNICODE_STUDENT),
                Outcome.noDeadLetter("point with the id intact")));
        // ---------------------------------------------------------------- checkouts
        cases.add(new Case("not UTF-8 at all", EventTopic.CHECKOUTS, key("c-x"),
                new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1, 2}, Outcome.dead(DeadLetterReason.NOT_UTF8)));
        cases.add(new Case("checkout with Unicode ids", EventTopic.CHECKOUTS, key("c-\uD83D\uDE00"),
                checkoutEvent("e-c1", "checkout_created", "c-\uD83D\uDE00", UNICODE_STUDENT, UNICODE_BOOK, AT),
                Outcome.noDeadLetter("counts for both")));
        cases.add(new Case("checkout by a student the catalog does not have", EventTopic.CHECKOUTS, key("c-2"),
                checkoutEvent("e-c2", "checkout_created", "c-2", "s-nobody", UNICODE_BOOK, AT),
                Outcome.noDeadLetter("counts for the book; waits for the student's profile")));
        cases.add(new Case("checkout", EventTopic.CHECKOUTS, key("c-3"),
                checkoutEvent("e-c3", "checkout_created", "c-3", "s-dup", "b-dup", "2026-09-03T08:00:00Z"),
                Outcome.noDeadLetter("counts")));
        cases.add(new Case("the same checkout event again", EventTopic.CHECKOUTS, key("c-3"),
                checkoutEvent("e-c3", "checkout_created", "c-3", "s-dup", "b-dup", "2026-09-03T08:00:00Z"),
                Outcome.noDeadLetter("counts again: checkouts are not deduplicated by checkout_id")));
        cases.add(new Case("checkout older than the one before (out of order)", EventTopic.CHECKOUTS, key("c-4"),
                checkoutEvent("e-c4", "checkout_created", "c-4", "s-dup", "b-long", "2026-08-01T08:00:00Z"),
                Outcome.noDeadLetter("counts; recent books keep the newest first")));
        cases.add(new Case("return without a checkout", EventTopic.CHECKOUTS, key("c-5"),
                checkoutEvent("e-c5", "checkout_returned", "c-5", "s-dup", "b-dup", AT),
                Outcome.noDeadLetter("no effect")));
        cases.add(new Case("checkout of a book that never gets a vector", EventTopic.CHECKOUTS, key("c-6"),
                checkoutEvent("e-c6", "checkout_created", "c-6", "s-dup", "b-nowhere", AT),
                Outcome.dead(DeadLetterReason.BOOK_VECTOR_MISSING)));

        try (PipelineFixture fixture = PipelineFixture.create(1);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            JobOptions options = fixture.options().with("record.max-bytes", String.valueOf(MAX_RECORD_BYTES));
            CatalogLoader.create().load(options.get("catalog.jdbc-url"), LocalPostgres.USER, LocalPostgres.PASSWORD,
                    books, students);
            // every topic has one partition: the records of a topic are read in the order written here
            Map<String, Case> byPosition = send(fixture, cases);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            ShelfstreamJob.configure(env, options);
            PipelineFixture.job(options, true).build(env);
            JobExecutionResult result = env.execute("hostile-input");

            // dead letters: exactly the expected reason at each expected position, nothing else
            Map<String, DeadLetterReason> expectedDead = new LinkedHashMap<>();
            byPosition.forEach((position, c) -> {
                if (c.outcome().deadLetter() != null) {
                    expectedDead.put(position, c.outcome().deadLetter());
                }
            });
            List<ConsumerRecord<byte[], byte[]>> dead = fixture.kafka().readAll(fixture.deadLetterTopic(),
                    expectedDead.size(), Duration.ofSeconds(30));
            Map<String, DeadLetterReason> actualDead = new LinkedHashMap<>();
            Map<String, String> details = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                DeadLetter d = DeadLetter.fromJson(r.value());
                String position = d.topic() + "/" + d.partition() + "/" + d.offset();
                assertThat(actualDead.put(position, d.reason())).as("dead-lettered twice: %s", position).isNull();
                details.put(position, d.detail());
                Case c = byPosition.get(position);
                // parse rejects keep the original bytes; the later stages name the entity in the key instead
                if (c != null && d.reason() != DeadLetterReason.BOOK_VECTOR_MISSING
                        && d.reason() != DeadLetterReason.CATALOG_ROW_MISSING) {
                    assertThat(d.value()).as("original bytes of '%s'", c.name()).isEqualTo(c.value());
                }
            }
            Map<String, String> expectedByCase = new LinkedHashMap<>();
            Map<String, String> actualByCase = new LinkedHashMap<>();
            byPosition.forEach((position, c) -> {
                expectedByCase.put(c.name(), String.valueOf(expectedDead.get(position)));
                actualByCase.put(c.name(), actualDead.get(position) + (actualDead.containsKey(position)
                        ? " (" + details.get(position) + ")" : ""));
            });
            for (String name : expectedByCase.keySet()) {
                assertThat(actualByCase.get(name)).as("dead letter of '%s'", name)
                        .startsWith(expectedByCase.get(name));
            }
            assertThat(actualDead.keySet()).as("dead-lettered positions").isEqualTo(expectedDead.keySet());

            // books: exactly these points, ids and titles intact, checkout counts as the checkouts say
            Map<String, Long> bookCheckouts = Map.of(ID_128, 0L, "b-dup", 2L, "b-late-add", 0L,
                    "b-update-first", 0L, "b-huge-ok", 0L, "b-long", 1L, UNICODE_BOOK, 2L, "b-?", 0L);
            Map<String, RetrievedPoint> bookPoints = fixture.points(fixture.booksCollection());
            Map<String, String> expectedBookPoints = new HashMap<>();
            bookCheckouts.keySet().forEach(id -> expectedBookPoints.put(PointIds.book(id).toString(), id));
            assertThat(bookPoints.keySet()).as("book points").isEqualTo(expectedBookPoints.keySet());
            for (CatalogBook b : books) {
                RetrievedPoint p = bookPoints.get(PointIds.book(b.bookId()).toString());
                if (p == null) {
                    continue;
                }
                assertThat(Payloads.toJava(p.getPayloadMap().get("book_id"))).isEqualTo(b.bookId());
                assertThat(Payloads.toJava(p.getPayloadMap().get("title"))).isEqualTo(b.title());
                assertThat(Payloads.toJava(p.getPayloadMap().get("checkout_count"))).as("checkouts of %s", b.bookId())
                        .isEqualTo(bookCheckouts.get(b.bookId()));
            }

            // the 100,000-character description: the vector is that of the text cut after its first 256 tokens
            // (5,000 characters hold more than 256 tokens), and the cut is what makes it equal
            CatalogBook endless = books.get(6);
            float[] stored = QdrantPoints.vector(bookPoints.get(PointIds.book("b-long").toString()), "text");
            float[][] expectedVectors = embedder.embed(List.of(
                    EmbeddingTexts.book(endless.title(), endless.author(), longDescription.substring(0, 5_000),
                            endless.genres()),
                    EmbeddingTexts.book(endless.title(), endless.author(), longDescription.substring(0, 300),
                            endless.genres())));
            assertThat(QdrantPoints.cosine(stored, expectedVectors[0])).as("vector of the cut text")
                    .isGreaterThanOrEqualTo(0.9999);
            assertThat(QdrantPoints.cosine(stored, expectedVectors[1])).as("vector of a much shorter text")
                    .isLessThan(0.999);

            // students: the Unicode id and s-dup; the duplicate checkout counts twice, the unknown-book checkout not
            Map<String, RetrievedPoint> studentPoints = fixture.points(fixture.studentsCollection());
            assertThat(studentPoints.keySet()).as("student points").containsExactlyInAnyOrder(
                    PointIds.student(UNICODE_STUDENT).toString(), PointIds.student("s-dup").toString());
            RetrievedPoint unicodeStudent = studentPoints.get(PointIds.student(UNICODE_STUDENT).toString());
            assertThat(Payloads.toJava(unicodeStudent.getPayloadMap().get("student_id"))).isEqualTo(UNICODE_STUDENT);
            assertThat(Payloads.toJava(unicodeStudent.getPayloadMap().get("checkout_count"))).isEqualTo(1L);
            assertThat(Payloads.toJava(unicodeStudent.getPayloadMap().get("recent_book_ids")))
                    .isEqualTo(List.of(UNICODE_BOOK));
            RetrievedPoint dup = studentPoints.get(PointIds.student("s-dup").toString());
            assertThat(Payloads.toJava(dup.getPayloadMap().get("checkout_count"))).isEqualTo(3L);
            assertThat(Payloads.toJava(dup.getPayloadMap().get("recent_book_ids")))
                    .isEqualTo(List.of("b-dup", "b-long"));

            // the parse counters agree with the topic
            long rejectedByParsers = JobMetrics.counter(METRICS, result.getJobID(), "Parse", "recordsRejected");
            long parseReasons = expectedDead.values().stream().filter(r -> r != DeadLetterReason.CATALOG_ROW_MISSING
                    && r != DeadLetterReason.BOOK_VECTOR_MISSING).count();
            assertThat(rejectedByParsers).isEqualTo(parseReasons);
        }
    }

    private static CatalogBook book(String id, String title, String description) {
        return new CatalogBook(id, null, title, "An Author", description, List.of("fiction"), "middle-grade");
    }

    /** Varied words, so the text has many tokens: about 100,000 characters. */
    private static String longDescription(int length) {
        String[] words = {"lighthouse", "keeper", "storm", "whispered", "across", "the", "harbour", "while",
            "gulls", "circled", "ancient", "maps", "of", "forgotten", "islands"};
        StringBuilder sb = new StringBuilder(length + 16);
        for (int i = 0; sb.length() < length; i++) {
            sb.append(words[(i * 7 + i / 3) % words.length]).append(i % 11 == 10 ? ". " : " ");
        }
        return sb.substring(0, length);
    }

    private static byte[] bookEvent(String eventId, String type, String bookId) {
        return json(Map.of("event_id", eventId, "event_type", type, "occurred_at", AT, "book_id", bookId));
    }

    private static byte[] studentEvent(String eventId, String type, String studentId) {
        return json(Map.of("event_id", eventId, "event_type", type, "occurred_at", AT, "student_id", studentId));
    }

    private static byte[] checkoutEvent(String eventId, String type, String checkoutId, String studentId,
            String bookId, String at) {
        return json(Map.of("event_id", eventId, "event_type", type, "occurred_at", at, "checkout_id", checkoutId,
                "student_id", studentId, "book_id", bookId));
    }

    /** A JSON object of string fields; Jackson escapes control characters, everything else is written as UTF-8. */
    private static byte[] json(Map<String, String> fields) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(new LinkedHashMap<>(fields));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The event with one more (unknown) field whose JSON value is {@code extraJson}. */
    private static byte[] withExtra(byte[] event, String extraJson) {
        String s = new String(event, StandardCharsets.UTF_8);
        return utf8(s.substring(0, s.length() - 1) + ",\"extra\":" + extraJson + "}");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] key(String id) {
        return utf8(id);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Sends every case in order and returns them by {@code topic/partition/offset}. */
    private static Map<String, Case> send(PipelineFixture fixture, List<Case> cases) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * MAX_RECORD_BYTES));
        Map<String, Case> byPosition = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Case c : cases) {
                RecordMetadata m = producer.send(new ProducerRecord<>(fixture.topic(c.topic()), c.key(), c.value()))
                        .get();
                byPosition.put(m.topic() + "/" + m.partition() + "/" + m.offset(), c);
            }
        }
        return byPosition;
    }
}
