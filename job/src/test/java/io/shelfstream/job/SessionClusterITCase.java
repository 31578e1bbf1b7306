package io.shelfstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.job.testutils.LocalSessionCluster;
import io.shelfstream.schemas.CatalogSql;
import io.shelfstream.schemas.PointIds;

/**
 * The path users take: the shaded jar submitted with {@code flink run} to a real session cluster (separate
 * JobManager and TaskManager processes), stopped with a savepoint, and resubmitted from it with {@code -s}.
 *
 * <p>This proves what a MiniCluster cannot: the shaded jar carries everything the job needs (gRPC service files,
 * ONNX Runtime and tokenizer natives, the model) and loads in Flink's user-code class loader, twice in the same
 * TaskManager.
 */
class SessionClusterITCase {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path JOB_JAR = Path.of("target", "shelfstream-job.jar");

    @Test
    void flinkRunStopWithSavepointAndRestoreOnASessionCluster() throws Exception {
        LocalKafka kafka = LocalServices.kafka();
        LocalPostgres postgres = LocalServices.postgres();
        String books = TestNames.fresh("books");
        String dlq = TestNames.fresh("dlq");
        String database = TestNames.fresh("catalog");
        String collection = TestNames.fresh("books");
        String students = TestNames.fresh("students");
        String checkouts = TestNames.fresh("checkouts");
        kafka.createTopic(books, 2);
        kafka.createTopic(students, 1);
        kafka.createTopic(checkouts, 1);
        kafka.createTopic(dlq, 1);
        String jdbcUrl = postgres.createDatabase(database);
        postgres.execute(database, CatalogSql.ddl());
        postgres.execute(database, CatalogSql.sampleData());
        List<String> jobArgs = List.of(
                "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--kafka.group-id", TestNames.fresh("group"),
                "--topic.books", books,
                "--topic.students", students,
                "--topic.checkouts", checkouts,
                "--topic.dead-letter", dlq,
                "--catalog.jdbc-url", jdbcUrl,
                "--qdrant.url", "http://localhost:" + LocalServices.qdrant().port(),
                "--qdrant.collection.books", collection,
                "--qdrant.collection.students", TestNames.fresh("students"),
                "--embedding.device", "cpu",
                "--checkpoint.interval", "1s");

        try (LocalSessionCluster cluster = LocalSessionCluster.start(REPOSITORY, 2);
                QdrantClient qdrant = QdrantEndpoint.of("localhost", LocalServices.qdrant().port()).newClient()) {
            String first = cluster.submit(JOB_JAR, null, jobArgs);
            cluster.awaitJobState(first, "RUNNING", Duration.ofMinutes(2));
            assertThat(cluster.get("/jobs/overview")).contains(first).contains("\"name\":\"shelfstream\"");

            kafka.send(books, "batch", event("e-1", "book_added", "\"book_ids\":[\"b-0001\",\"b-0002\",\"b-0003\"]"));
            awaitCount(qdrant, collection, 3, cluster);

            String savepoint = cluster.stopWithSavepoint(first);
            assertThat(cluster.jobState(first)).isEqualTo("FINISHED");

            // while the job is down: the catalog changes, and events keep arriving
            postgres.execute(database, "UPDATE books SET title = 'Rockets in the Backyard (Second Edition)', "
                    + "updated_at = now() WHERE book_id = 'b-0002'");
            kafka.send(books, "b-0002", event("e-2", "book_updated", "\"book_id\":\"b-0002\""));
            kafka.send(books, "b-0001", event("e-3", "book_removed", "\"book_id\":\"b-0001\""));

            String second = cluster.submit(JOB_JAR, savepoint, jobArgs);
            cluster.awaitJobState(second, "RUNNING", Duration.ofMinutes(2));
            awaitCount(qdrant, collection, 2, cluster);
            awaitTitle(qdrant, collection, "b-0002", "Rockets in the Backyard (Second Edition)", cluster);

            // the restored job resumed from the savepoint's offsets: b-0003 was not processed again
            assertThat(payloadString(retrieve(qdrant, collection, "b-0003"), "event_id")).isEqualTo("e-1");
            assertThat(payloadString(retrieve(qdrant, collection, "b-0002"), "event_id")).isEqualTo("e-2");

            // the documented upgrade path: flink-conf/upgrade.sh, with a changed job option
            List<String> upgraded = new java.util.ArrayList<>(jobArgs);
            upgraded.set(upgraded.indexOf("--checkpoint.interval") + 1, "2s");
            List<String> scriptArgs = new java.util.ArrayList<>(List.of(second, JOB_JAR.toAbsolutePath().toString()));
            scriptArgs.addAll(upgraded);
            String third = LocalSessionCluster.jobIdIn(cluster.runScript(REPOSITORY.resolve("flink-conf/upgrade.sh"),
                    scriptArgs.toArray(String[]::new)));
            assertThat(cluster.jobState(second)).isEqualTo("FINISHED");
            cluster.awaitJobState(third, "RUNNING", Duration.ofMinutes(2));
            postgres.execute(database, "UPDATE books SET title = 'The Clockwork Fox (Illustrated)', "
                    + "updated_at = now() WHERE book_id = 'b-0003'");
            kafka.send(books, "b-0003", event("e-4", "book_updated", "\"book_id\":\"b-0003\""));
            awaitTitle(qdrant, collection, "b-0003", "The Clockwork Fox (Illustrated)", cluster);
            assertThat(qdrant.countAsync(collection).get()).isEqualTo(2L);

            cluster.flink("cancel", third);
            cluster.awaitJobState(third, "CANCELED", Duration.ofMinutes(1));
        }
    }

    private static String event(String id, String type, String ids) {
        return "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type
                + "\",\"occurred_at\":\"2026-11-23T10:00:00Z\"," + ids + "}";
    }

    private static void awaitCount(QdrantClient qdrant, String collection, long expected, LocalSessionCluster cluster)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long last = -1;
        while (System.nanoTime() < deadline) {
            if (qdrant.collectionExistsAsync(collection).get()) {
                last = qdrant.countAsync(collection).get();
                if (last == expected) {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(300);
        }
        throw new AssertionError("collection " + collection + " has " + last + " points, expected " + expected
                + "\n--- taskmanager log tail ---\n" + cluster.tail("taskmanager.log"));
    }

    private static void awaitTitle(QdrantClient qdrant, String collection, String bookId, String title,
            LocalSessionCluster cluster) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        String last = null;
        while (System.nanoTime() < deadline) {
            last = payloadString(retrieve(qdrant, collection, bookId), "title");
            if (title.equals(last)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(300);
        }
        throw new AssertionError(bookId + " has title '" + last + "', expected '" + title + "'\n"
                + cluster.tail("taskmanager.log"));
    }

    private static RetrievedPoint retrieve(QdrantClient qdrant, String collection, String bookId) throws Exception {
        List<RetrievedPoint> points = qdrant.retrieveAsync(collection,
                List.of(PointIdFactory.id(PointIds.book(bookId))), true, false, null).get();
        assertThat(points).as("point of %s", bookId).hasSize(1);
        return points.get(0);
    }

    private static String payloadString(RetrievedPoint p, String key) {
        return p.getPayloadMap().get(key).getStringValue();
    }
}
