package io.shelfstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.CatalogSql;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.PointIds;

/**
 * PostgreSQL, the catalog, stops while the job is embedding a stream of {@code books} events and comes back a few
 * seconds later: the catalog lookup's retries run out, the job fails over and restarts from its last checkpoint by
 * itself until the database is back, and Qdrant ends with exactly one point per live book (none for removed books),
 * each with the title of its final catalog row and the {@code event_id} of its last event, while no book reaches the
 * dead-letter topic as {@code catalog_row_missing}. The job must really have restarted, so the outage was not
 * absorbed by retries alone.
 */
class CatalogOutageITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** The test's own account of what Qdrant must end with: final title and last event per live book. */
    private static final class Expected {
        final Map<String, String> title = new TreeMap<>();
        final Map<String, String> lastEvent = new HashMap<>();
        final Map<String, Boolean> live = new TreeMap<>();
        int events;

        int liveCount() {
            return (int) live.values().stream().filter(Boolean::booleanValue).count();
        }
    }

    @Test
    void aCatalogOutageFailsTheJobOverAndQdrantEndsExactlyAsTheCatalogAndEventsSay() throws Exception {
        long started = System.nanoTime();
        int n = 200 * SCALE;
        LocalKafka kafka = LocalServices.kafka();
        LocalPostgres postgres = LocalServices.postgres();
        String booksTopic = TestNames.fresh("books");
        String dlq = TestNames.fresh("dlq");
        String database = TestNames.fresh("catalog");
        String collection = TestNames.fresh("books");
        kafka.createTopic(booksTopic, 2);
        kafka.createTopic(dlq, 1);
        String jdbcUrl = postgres.createDatabase(database);
        postgres.execute(database, CatalogSql.ddl());
        // short descriptions keep the embedding fast
        postgres.execute(database, "INSERT INTO books (book_id, title, author, description, genres, reading_level) "
                + "SELECT 'b-' || lpad(g::text, 5, '0'), 'Title ' || g, 'Author ' || (g % 17), "
                + "'A short tale number ' || g || '.', '{fiction}', 'middle-grade' "
                + "FROM generate_series(0, " + (n - 1) + ") g");
        Expected expected = new Expected();
        for (int i = 0; i < n; i++) {
            expected.title.put(bookId(i), "Title " + i);
        }

        JobOptions options = JobOptions.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.group-id", TestNames.fresh("group"))
                .with("topic.books", booksTopic)
                .with("topic.dead-letter", dlq)
                .with("catalog.jdbc-url", jdbcUrl)
                .with("catalog.pool-size", "2")
                .with("catalog.timeout", "6s") // must exceed the lookup's fixed 5 s connection timeout
                .with("catalog.retries", "1")
                .with("catalog.retry-delay", "50ms")
                .with("catalog.retry-max-delay", "100ms")
                .with("qdrant.url", "http://localhost:" + LocalServices.qdrant().port())
                .with("qdrant.collection.books", collection)
                .with("embedding.device", "cpu")
                .with("checkpoint.interval", "500ms");

        StreamExecutionEnvironment env = PipelineFixture.restartingEnvironment(options, Duration.ofMillis(300));
        new ShelfstreamJob(options, ShelfstreamJob.booksSource(options), ShelfstreamJob.qdrantSink(options),
                ShelfstreamJob.deadLetterSink(options)).build(env);

        // burst 1: the first half of the catalog is added
        List<String[]> burst = new ArrayList<>();
        for (int i = 0; i < n / 2; i++) {
            burst.add(event(expected, "book_added", bookId(i)));
        }
        send(kafka, booksTopic, burst);

        JobClient job = env.executeAsync("catalog-outage");
        JobID id = job.getJobID();
        boolean postgresUp = true;
        long outageMillis = 0;
        try {
            try (QdrantClient client = QdrantEndpoint.of("localhost", LocalServices.qdrant().port()).newClient()) {
                waitUntil("a third of the books in Qdrant", () -> count(client, collection) >= n / 3);

                // books already in Qdrant with their first title: some change title now, some after the outage,
                // one is removed; each later event then changes what is embedded
                List<String> committed = new ArrayList<>();
                for (RetrievedPoint p : QdrantPoints.scrollAll(client, collection).values()) {
                    String book = string(p, "book_id");
                    if (string(p, "title").equals(expected.title.get(book))) {
                        committed.add(book);
                    }
                }
                committed.sort(null);
                assertThat(committed).hasSizeGreaterThanOrEqualTo(9);
                List<String> renamedBefore = committed.subList(0, 4);
                List<String> renamedAfter = committed.subList(4, 8);
                String removedEarly = committed.get(8);
                String removedLate = bookId(n / 2 + 1);

                for (String book : renamedBefore) {
                    rename(postgres, database, expected, book, expected.title.get(book) + " (revised)");
                }
                postgres.stop();
                postgresUp = false;
                long stopped = System.nanoTime();

                // burst 2, during the outage: the second half is added, renamed books updated, two books removed
                burst.clear();
                for (int i = n / 2; i < n; i++) {
                    burst.add(event(expected, "book_added", bookId(i)));
                }
                for (String book : renamedBefore) {
                    burst.add(event(expected, "book_updated", book));
                }
                burst.add(event(expected, "book_removed", removedEarly));
                burst.add(event(expected, "book_removed", removedLate));
                send(kafka, booksTopic, burst);

                // the lookups fail, their retries run out and the job fails over; then the outage lasts a bit more
                waitUntil("the job restarts", () -> restarts(id) >= 1);
                Thread.sleep(3_000);
                postgres.restart();
                postgresUp = true;
                outageMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);

                // burst 3, after the outage: more renames in the catalog, then their events
                burst.clear();
                for (String book : renamedAfter) {
                    rename(postgres, database, expected, book, expected.title.get(book) + " (second edition)");
                    burst.add(event(expected, "book_updated", book));
                }
                send(kafka, booksTopic, burst);

                // Qdrant converges on exactly the expected points, by itself
                List<String> last = new ArrayList<>();
                try {
                    waitUntil("Qdrant holds exactly the expected points", () -> {
                        last.clear();
                        last.addAll(mismatches(client, collection, expected));
                        return last.isEmpty();
                    });
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; " + last.size() + " differences, first: "
                            + last.subList(0, Math.min(10, last.size())), e);
                }
                Thread.sleep(1_500);
                List<String> mismatches = mismatches(client, collection, expected);
                assertThat(mismatches).as("differences from the expectation after more checkpoints").isEmpty();
                assertThat(count(client, collection)).isEqualTo(expected.liveCount());
                assertThat(expected.liveCount()).isEqualTo(n - 2);
            }

            long restarts = restarts(id);
            assertThat(restarts).as("the outage made the job fail over").isGreaterThanOrEqualTo(1);
            assertThat(status(job)).isEqualTo(JobStatus.RUNNING);

            List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(dlq, 0, Duration.ofSeconds(5));
            List<String> missingRows = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                DeadLetter d = DeadLetter.fromJson(r.value());
                if (d.reason() == DeadLetterReason.CATALOG_ROW_MISSING) {
                    missingRows.add(d.detail());
                }
            }
            assertThat(missingRows).as("books dead-lettered as catalog_row_missing").isEmpty();

            System.out.printf("catalog outage ITCase: %d books, %d events, %d live points; outage %d ms, "
                            + "%d restarts, %d committed dead letters, %d s in all%n", n, expected.events,
                    expected.liveCount(), outageMillis, restarts, dead.size(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        } finally {
            if (!postgresUp) {
                postgres.restart();
            }
            job.cancel().get();
        }
    }

    private static String bookId(int i) {
        return String.format("b-%05d", i);
    }

    /** A {@code books} event for one book, keyed by the book so that its events stay in order. */
    private static String[] event(Expected expected, String type, String book) {
        String eventId = "e-" + (++expected.events) + "-" + type;
        expected.lastEvent.put(book, eventId);
        expected.live.put(book, !type.equals("book_removed"));
        return new String[] {book, "{\"event_id\":\"" + eventId + "\",\"event_type\":\"" + type
                + "\",\"occurred_at\":\"2026-11-23T10:00:00Z\",\"book_id\":\"" + book + "\"}"};
    }

    private static void send(LocalKafka kafka, String topic, List<String[]> records) throws Exception {
        try (KafkaProducer<String, String> producer = kafka.producer()) {
            for (String[] r : records) {
                producer.send(new ProducerRecord<>(topic, r[0], r[1]));
            }
            producer.flush();
        }
    }

    private static void rename(LocalPostgres postgres, String database, Expected expected, String book,
            String title) {
        postgres.execute(database, "UPDATE books SET title = '" + title + "', updated_at = now() WHERE book_id = '"
                + book + "'");
        expected.title.put(book, title);
    }

    /** What differs between Qdrant and the expectation; empty when they agree. */
    private static List<String> mismatches(QdrantClient client, String collection, Expected expected) {
        Map<String, RetrievedPoint> points;
        try {
            points = count(client, collection) == 0 ? Map.of() : QdrantPoints.scrollAll(client, collection);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        Map<String, String> byPoint = new LinkedHashMap<>();
        for (String book : expected.live.keySet()) {
            byPoint.put(PointIds.book(book).toString(), book);
        }
        List<String> out = new ArrayList<>();
        for (String pointId : points.keySet()) {
            if (!byPoint.containsKey(pointId)) {
                out.add("unexpected point " + pointId);
            }
        }
        for (Map.Entry<String, String> e : byPoint.entrySet()) {
            String book = e.getValue();
            RetrievedPoint p = points.get(e.getKey());
            if (!expected.live.get(book)) {
                if (p != null) {
                    out.add(book + ": removed but still has a point");
                }
            } else if (p == null) {
                out.add(book + ": no point");
            } else if (!expected.title.get(book).equals(string(p, "title"))
                    || !expected.lastEvent.get(book).equals(string(p, "event_id"))) {
                out.add(book + ": title '" + string(p, "title") + "' event " + string(p, "event_id")
                        + ", expected '" + expected.title.get(book) + "' event " + expected.lastEvent.get(book));
            }
        }
        return out;
    }

    private static String string(RetrievedPoint p, String field) {
        Value v = p.getPayloadMap().get(field);
        return v == null ? null : v.getStringValue();
    }

    private static long count(QdrantClient client, String collection) {
        try {
            return client.collectionExistsAsync(collection).get() ? client.countAsync(collection).get() : 0;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The job's {@code numRestarts} gauge; 0 until the job manager registers it. */
    private static long restarts(JobID job) {
        // by group: the retained metrics of earlier attempts share identifiers with the current ones
        long restarts = 0;
        for (Tuple3<MetricGroup, String, Metric> m : METRICS.findJobMetricGroups(job, "numRestarts")) {
            if (m.f1.equals("numRestarts") && m.f2 instanceof Gauge<?> g && g.getValue() instanceof Number value) {
                restarts = Math.max(restarts, value.longValue());
            }
        }
        return restarts;
    }

    private static JobStatus status(JobClient job) {
        try {
            return job.getJobStatus().get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + WAIT.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(250);
        }
    }
}
