package io.shelfstream.job.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.qdrant.client.grpc.JsonWithInt;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.job.taste.TasteSettings;
import io.shelfstream.schemas.CatalogStudent;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.generator.GeneratedRecord;

/**
 * Checks the end state of a pipeline run over a generated library against a {@link LibraryExpectation}: the points
 * of both collections, checkout counts, recent books, taste vectors (against the formula written out here, not the
 * job's code) and the dead-letter topic.
 */
public final class LibraryAssertions {

    private LibraryAssertions() {
    }

    /**
     * Qdrant holds exactly the present books (with their checkout counts) and the present students (each vector the
     * taste formula over the student's checkouts, cosine >= 0.9999, with checkout count, taste source and recent
     * books).
     *
     * @param embedder embeds the profile texts for the formula
     * @return the number of students with checkouts
     */
    public static int assertQdrantHoldsLibrary(PipelineFixture fixture, LibraryExpectation expected,
            TasteSettings taste, int recentBooks, Embedder embedder) throws Exception {
        Map<String, RetrievedPoint> bookPoints = fixture.points(fixture.booksCollection());
        Map<String, String> bookByPoint = new HashMap<>();
        for (String id : expected.presentBooks) {
            bookByPoint.put(PointIds.book(id).toString(), id);
        }
        assertThat(bookPoints.keySet()).as("book points").isEqualTo(bookByPoint.keySet());
        for (Map.Entry<String, RetrievedPoint> e : bookPoints.entrySet()) {
            String bookId = bookByPoint.get(e.getKey());
            assertThat(Payloads.toJava(e.getValue().getPayloadMap().get("checkout_count")))
                    .as("checkout_count of %s", bookId)
                    .isEqualTo(expected.bookCheckouts.getOrDefault(bookId, 0L));
        }

        Map<String, RetrievedPoint> studentPoints = fixture.points(fixture.studentsCollection());
        Set<String> expectedStudentPoints = new HashSet<>();
        expected.presentStudents.forEach(id -> expectedStudentPoints.add(PointIds.student(id).toString()));
        assertThat(studentPoints.keySet()).as("student points").isEqualTo(expectedStudentPoints);
        List<String> ids = new ArrayList<>(expected.presentStudents);
        List<String> texts = new ArrayList<>();
        for (String id : ids) {
            CatalogStudent row = expected.studentRows.get(id);
            texts.add(EmbeddingTexts.student(row.gradeLevel(), row.interests(), row.preferredGenres()));
        }
        float[][] profiles = texts.isEmpty() ? new float[0][] : embedder.embed(texts);
        int withCheckouts = 0;
        for (int i = 0; i < ids.size(); i++) {
            String studentId = ids.get(i);
            RetrievedPoint point = studentPoints.get(PointIds.student(studentId).toString());
            List<LibraryExpectation.Checkout> mine = expected.studentCheckouts.getOrDefault(studentId, List.of());
            float[] formula = tasteFormula(profiles[i], mine, bookPoints, taste);
            assertThat(QdrantPoints.cosine(formula, QdrantPoints.vector(point, "text")))
                    .as("taste vector of %s (%d checkouts)", studentId, mine.size())
                    .isGreaterThanOrEqualTo(0.9999);
            Map<String, JsonWithInt.Value> payload = point.getPayloadMap();
            assertThat(Payloads.toJava(payload.get("checkout_count"))).as("checkout_count of %s", studentId)
                    .isEqualTo((long) mine.size());
            assertThat(Payloads.toJava(payload.get("taste_source")))
                    .isEqualTo(mine.isEmpty() ? "profile" : "profile+checkouts");
            assertThat(Payloads.toJava(payload.get("recent_book_ids"))).as("recent books of %s", studentId)
                    .isEqualTo(recentBooks(mine, recentBooks));
            withCheckouts += mine.isEmpty() ? 0 : 1;
        }
        return withCheckouts;
    }

    /**
     * The dead-letter topic holds each malformed record of {@code sent} once, with its reason, and a
     * {@code book_vector_missing} letter for each checkout of {@link LibraryExpectation#checkoutsWithoutBook}, and
     * nothing else; no source position is dead-lettered twice.
     *
     * @return the dead letters read
     */
    public static List<DeadLetter> assertDeadLetters(PipelineFixture fixture, LibraryExpectation expected,
            List<GeneratedRecord> sent) {
        return assertDeadLetters(fixture.kafka(), fixture.deadLetterTopic(), expected, sent);
    }

    /** Like {@link #assertDeadLetters(PipelineFixture, LibraryExpectation, List)}, for a given dead-letter topic. */
    public static List<DeadLetter> assertDeadLetters(LocalKafka kafka, String deadLetterTopic,
            LibraryExpectation expected, List<GeneratedRecord> sent) {
        Map<DeadLetterReason, Integer> malformed = new HashMap<>();
        for (GeneratedRecord r : sent) {
            if (r.isMalformed()) {
                malformed.merge(r.expectedReason(), 1, Integer::sum);
            }
        }
        int expectedDead = malformed.values().stream().mapToInt(Integer::intValue).sum()
                + expected.checkoutsWithoutBook.size();
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(deadLetterTopic, expectedDead,
                Duration.ofSeconds(30));
        List<DeadLetter> letters = new ArrayList<>();
        Set<String> positions = new HashSet<>();
        Set<String> missingBook = new HashSet<>();
        Map<DeadLetterReason, Integer> reasons = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            DeadLetter letter = DeadLetter.fromJson(r.value());
            letters.add(letter);
            String position = letter.topic() + "/" + letter.partition() + "/" + letter.offset();
            assertThat(positions.add(position)).as("dead-lettered twice: %s (%s)", position, letter.reason())
                    .isTrue();
            if (letter.reason() == DeadLetterReason.BOOK_VECTOR_MISSING) {
                missingBook.add(new String(letter.key(), StandardCharsets.UTF_8));
            } else {
                reasons.merge(letter.reason(), 1, Integer::sum);
            }
        }
        assertThat(reasons).as("dead letters by reason").isEqualTo(malformed);
        assertThat(missingBook).as("checkouts dead-lettered for want of a book vector")
                .isEqualTo(expected.checkoutsWithoutBook);
        assertThat(letters).hasSize(expectedDead);
        return letters;
    }

    /**
     * Whether Qdrant shows the job caught up with the expectation: exactly the present books and students have
     * points, with the expected checkout counts (a condition to wait for; the full check is
     * {@link #assertQdrantHoldsLibrary}).
     */
    public static boolean checkoutCountsMatch(PipelineFixture fixture, LibraryExpectation expected) {
        Map<String, RetrievedPoint> bookPoints = fixture.points(fixture.booksCollection());
        if (bookPoints.size() != expected.presentBooks.size()) {
            return false;
        }
        for (String id : expected.presentBooks) {
            RetrievedPoint p = bookPoints.get(PointIds.book(id).toString());
            if (p == null || !Long.valueOf(expected.bookCheckouts.getOrDefault(id, 0L))
                    .equals(Payloads.toJava(p.getPayloadMap().get("checkout_count")))) {
                return false;
            }
        }
        Map<String, RetrievedPoint> studentPoints = fixture.points(fixture.studentsCollection());
        if (studentPoints.size() != expected.presentStudents.size()) {
            return false;
        }
        for (String id : expected.presentStudents) {
            RetrievedPoint p = studentPoints.get(PointIds.student(id).toString());
            long count = expected.studentCheckouts.getOrDefault(id, List.of()).size();
            if (p == null || !Long.valueOf(count).equals(Payloads.toJava(p.getPayloadMap().get("checkout_count")))) {
                return false;
            }
        }
        return true;
    }

    /** The formula of DESIGN.md section 2, written out here without the job's classes. */
    public static float[] tasteFormula(float[] profile, List<LibraryExpectation.Checkout> checkouts,
            Map<String, RetrievedPoint> bookPoints, TasteSettings settings) {
        double a = settings.profileWeight();
        double[] v = new double[profile.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (checkouts.isEmpty() ? 1.0 : a) * profile[i];
        }
        if (!checkouts.isEmpty()) {
            long latest = checkouts.stream().mapToLong(LibraryExpectation.Checkout::occurredAtMillis).max()
                    .orElseThrow();
            double[] mean = new double[profile.length];
            double weights = 0;
            for (LibraryExpectation.Checkout c : checkouts) {
                float[] book = QdrantPoints.vector(bookPoints.get(PointIds.book(c.bookId()).toString()), "text");
                double w = Math.pow(2, -(double) (latest - c.occurredAtMillis()) / settings.halfLife().toMillis());
                weights += w;
                for (int i = 0; i < mean.length; i++) {
                    mean[i] += w * book[i];
                }
            }
            for (int i = 0; i < v.length; i++) {
                v[i] += (1 - a) * mean[i] / weights;
            }
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    /** Distinct books, newest checkout first (ties by book id), at most {@code limit}. */
    public static List<String> recentBooks(List<LibraryExpectation.Checkout> checkouts, int limit) {
        Map<String, Long> newest = new HashMap<>();
        for (LibraryExpectation.Checkout c : checkouts) {
            newest.merge(c.bookId(), c.occurredAtMillis(), Math::max);
        }
        return newest.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).map(Map.Entry::getKey).toList();
    }
}
