package io.shelfstream.job.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * A backfill inside the running job while live updates stream over the same books and students: catalog rows are
 * updated (the trigger moves {@code updated_at}) and their events sent, and some books are removed, while the backfill
 * reads and embeds the catalog. At the end every point must hold the newest catalog row (title, interests and
 * the vector of the final text, checked against direct embeddings) and no removed book may be back, whatever the
 * interleaving; the expectation is read from the catalog itself.
 */
class BackfillMeetsLiveITCase {

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    @Test
    void theNewestCatalogRowWinsForEveryKey() throws Exception {
        LibraryGenerator library = LibraryGenerator.create(GeneratorOptions.builder()
                .setBooks(600 * SCALE).setStudents(100 * SCALE).setCheckouts(0).setSeed(13).build());
        Random random = new Random(17);
        try (PipelineFixture fixture = PipelineFixture.create(2);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            fixture.loadCatalog(library);
            JobOptions options = fixture.options()
                    .with("parallelism", "2")
                    .with("topic.checkouts", "")
                    .with("backfill.entities", "books,students")
                    .with("backfill.splits", "16");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            ShelfstreamJob.configure(env, options);
            new ShelfstreamJob(options, ShelfstreamJob.booksSource(options), ShelfstreamJob.studentsSource(options),
                    null, ShelfstreamJob.qdrantSink(options), ShelfstreamJob.deadLetterSink(options)).build(env);
            JobClient job = env.executeAsync("backfill-meets-live");
            Set<String> removed = new HashSet<>();
            try {
                List<String> bookIds = new ArrayList<>(library.books().stream().map(b -> b.bookId()).toList());
                List<String> studentIds = new ArrayList<>(library.students().stream().map(s -> s.studentId())
                        .toList());
                // three rounds of live changes while the backfill runs
                for (int round = 1; round <= 3; round++) {
                    Collections.shuffle(bookIds, random);
                    Collections.shuffle(studentIds, random);
                    try (Connection c = fixture.catalog(); Statement st = c.createStatement()) {
                        for (String id : bookIds.subList(0, bookIds.size() / 6)) {
                            if (removed.contains(id)) {
                                continue; // an update event after the removal would add the book again
                            }
                            st.executeUpdate("UPDATE books SET title = title || ' (revised " + round
                                    + ")' WHERE book_id = '" + id + "'");
                            fixture.kafka().send(options.get("topic.books"), id, event("book_updated", "book_id", id,
                                    round));
                        }
                        for (String id : studentIds.subList(0, studentIds.size() / 5)) {
                            st.executeUpdate("UPDATE students SET interests = coalesce(interests, '') || ', puzzles "
                                    + round + "' WHERE student_id = '" + id + "'");
                            fixture.kafka().send(options.get("topic.students"), id, event("student_updated",
                                    "student_id", id, round));
                        }
                    }
                    for (String id : bookIds.subList(bookIds.size() - 10, bookIds.size())) {
                        if (removed.add(id)) {
                            fixture.kafka().send(options.get("topic.books"), id, event("book_removed", "book_id", id,
                                    round));
                        }
                    }
                    Thread.sleep(700);
                }

                Map<String, String> titles = catalog(fixture, "SELECT book_id, title FROM books");
                Map<String, String> interests = catalog(fixture,
                        "SELECT student_id, coalesce(interests, '') FROM students");
                try {
                    PipelineFixture.waitUntil("every point holds the newest row", () ->
                            drift(fixture, titles, interests, removed) == null);
                } catch (AssertionError timeout) {
                    throw new AssertionError(drift(fixture, titles, interests, removed), timeout);
                }
                Thread.sleep(3_000);
                assertThat(drift(fixture, titles, interests, removed)).as("after more checkpoints").isNull();

                // vectors of the final texts, for a sample of the updated books
                Map<String, RetrievedPoint> books = fixture.points(fixture.booksCollection());
                List<String> sample = new ArrayList<>();
                List<String> texts = new ArrayList<>();
                try (Connection c = fixture.catalog(); Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT book_id, title, author, description, genres FROM books "
                                + "WHERE title LIKE '%(revised%' ORDER BY book_id LIMIT 60")) {
                    while (rs.next()) {
                        if (removed.contains(rs.getString(1))) {
                            continue;
                        }
                        sample.add(rs.getString(1));
                        texts.add(EmbeddingTexts.book(rs.getString(2), rs.getString(3), rs.getString(4),
                                List.of((String[]) rs.getArray(5).getArray())));
                    }
                }
                float[][] direct = embedder.embed(texts);
                for (int i = 0; i < sample.size(); i++) {
                    RetrievedPoint p = books.get(PointIds.book(sample.get(i)).toString());
                    assertThat(QdrantPoints.cosine(direct[i], QdrantPoints.vector(p, "text")))
                            .as("vector of %s", sample.get(i)).isGreaterThanOrEqualTo(0.9999);
                }
                System.out.printf("backfill rows applied %d, stale backfill rows dropped %d%n",
                        JobMetrics.counter(METRICS, job.getJobID(), "Newest catalog row", "backfillRows"),
                        JobMetrics.counter(METRICS, job.getJobID(), "Newest catalog row", "staleBackfillRows"));
            } finally {
                job.cancel().get();
            }
        }
    }

    /** What differs from the newest catalog rows; null when nothing does. */
    private static String drift(PipelineFixture fixture, Map<String, String> titles,
            Map<String, String> interests, Set<String> removed) {
        List<String> wrong = new ArrayList<>();
        Map<String, RetrievedPoint> books = fixture.points(fixture.booksCollection());
        for (Map.Entry<String, String> e : titles.entrySet()) {
            RetrievedPoint p = books.get(PointIds.book(e.getKey()).toString());
            if (removed.contains(e.getKey())) {
                if (p != null) {
                    wrong.add(e.getKey() + " removed but present");
                }
            } else if (p == null) {
                wrong.add(e.getKey() + " missing");
            } else if (!e.getValue().equals(Payloads.toJava(p.getPayloadMap().get("title")))) {
                wrong.add(e.getKey() + " has '" + Payloads.toJava(p.getPayloadMap().get("title")) + "' not '"
                        + e.getValue() + "'");
            }
        }
        Map<String, RetrievedPoint> students = fixture.points(fixture.studentsCollection());
        for (Map.Entry<String, String> e : interests.entrySet()) {
            RetrievedPoint p = students.get(PointIds.student(e.getKey()).toString());
            Object stored = p == null ? null : Payloads.toJava(p.getPayloadMap().get("interests"));
            if (p == null) {
                wrong.add(e.getKey() + " missing");
            } else if (!e.getValue().equals(stored == null ? "" : stored)) {
                wrong.add(e.getKey() + " has '" + stored + "' not '" + e.getValue() + "'");
            }
        }
        return wrong.isEmpty() ? null : wrong.size() + " points differ, e.g. "
                + wrong.subList(0, Math.min(5, wrong.size()));
    }

    private static Map<String, String> catalog(PipelineFixture fixture, String sql) throws Exception {
        Map<String, String> rows = new HashMap<>();
        try (Connection c = fixture.catalog(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }

    private static String event(String type, String idField, String id, int round) {
        return "{\"event_id\":\"" + type + "-" + id + "-" + round + "\",\"event_type\":\"" + type
                + "\",\"occurred_at\":\"2026-11-23T10:0" + round + ":00Z\",\"" + idField + "\":\"" + id + "\"}";
    }
}
