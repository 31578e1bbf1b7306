package io.shelfstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.schemas.CatalogSql;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;

/**
 * The students path through the running job: students added, updated and removed on Kafka become points of the
 * {@code students} collection with the catalog payload and the embedded profile text (until checkouts are joined,
 * a student's vector is the profile vector); a removed student's point is gone; a student the catalog does not
 * have becomes a {@code catalog_row_missing} dead letter. Books share the one Qdrant sink.
 */
class StudentsPipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void studentsAddedUpdatedAndRemovedReachTheStudentsCollection() throws Exception {
        LocalKafka kafka = LocalServices.kafka();
        LocalPostgres postgres = LocalServices.postgres();
        String booksTopic = TestNames.fresh("books");
        String studentsTopic = TestNames.fresh("students");
        String dlqTopic = TestNames.fresh("dlq");
        String database = TestNames.fresh("catalog");
        String books = TestNames.fresh("books");
        String students = TestNames.fresh("students");
        kafka.createTopic(booksTopic, 1);
        kafka.createTopic(studentsTopic, 2);
        kafka.createTopic(dlqTopic, 1);
        String jdbcUrl = postgres.createDatabase(database);
        postgres.execute(database, CatalogSql.ddl());
        postgres.execute(database, "INSERT INTO students (student_id, grade_level, interests, preferred_genres) VALUES "
                + "('s-1', 6, 'space, robots and building things', '{science,adventure}'), "
                + "('s-2', 3, 'dragons, wizards and castles', '{fantasy}'), "
                + "('s-3', NULL, NULL, '{}')");

        JobOptions options = JobOptions.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.group-id", TestNames.fresh("group"))
                .with("topic.books", booksTopic)
                .with("topic.students", studentsTopic)
                .with("topic.dead-letter", dlqTopic)
                .with("catalog.jdbc-url", jdbcUrl)
                .with("catalog.retries", "1")
                .with("qdrant.url", "http://localhost:" + LocalServices.qdrant().port())
                .with("qdrant.collection.books", books)
                .with("qdrant.collection.students", students)
                .with("embedding.device", "cpu")
                .with("checkpoint.interval", "1s");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ShelfstreamJob.configure(env, options);
        new ShelfstreamJob(options, ShelfstreamJob.booksSource(options), ShelfstreamJob.studentsSource(options),
                null, ShelfstreamJob.qdrantSink(options), ShelfstreamJob.deadLetterSink(options)).build(env);
        JobClient job = env.executeAsync("students-pipeline");
        try (QdrantClient client = QdrantEndpoint.of("localhost", LocalServices.qdrant().port()).newClient();
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            kafka.send(studentsTopic, "s-1", event("e-1", "student_added", "s-1"));
            kafka.send(studentsTopic, "s-2", event("e-2", "student_added", "s-2"));
            kafka.send(studentsTopic, "s-3", event("e-3", "student_added", "s-3"));
            kafka.send(studentsTopic, "s-404", event("e-4", "student_added", "s-404"));
            waitUntil("three student points", () -> count(client, students) == 3);

            // the first version of s-1 as written
            Map<String, Value> first = retrieve(client, students, "s-1").getPayloadMap();
            assertThat(Payloads.toJava(first.get("event_id"))).isEqualTo("e-1");

            // the catalog changes, then the update event; then s-3 is removed
            postgres.execute(database, "UPDATE students SET grade_level = 7, interests = 'robots, chess and "
                    + "coding', preferred_genres = '{science,mystery}' WHERE student_id = 's-1'");
            kafka.send(studentsTopic, "s-1", event("e-5", "student_updated", "s-1"));
            kafka.send(studentsTopic, "s-3", event("e-6", "student_removed", "s-3"));
            waitUntil("s-1 updated and s-3 removed", () -> count(client, students) == 2
                    && "e-5".equals(Payloads.toJava(retrieve(client, students, "s-1").getPayloadMap().get("event_id"))));

            RetrievedPoint s1 = retrieve(client, students, "s-1");
            Map<String, Value> raw = s1.getPayloadMap();
            assertThat(raw.get("grade_level").hasIntegerValue()).as("grade_level is an integer").isTrue();
            assertThat(raw.get("grade_level").getIntegerValue()).isEqualTo(7L);
            Map<String, Object> payload = javaPayload(s1);
            assertThat(payload).containsEntry("student_id", "s-1")
                    .containsEntry("interests", "robots, chess and coding")
                    .containsEntry("preferred_genres", List.of("science", "mystery"))
                    .containsEntry("model_id", embedder.modelId())
                    .containsEntry("event_id", "e-5")
                    .containsEntry("taste_source", "profile")
                    .containsKey("content_hash");
            assertThat((String) payload.get("source")).startsWith(studentsTopic + "/");
            float[] direct = embedder.embed(List.of(EmbeddingTexts.student(7, "robots, chess and coding",
                    List.of("science", "mystery"))))[0];
            assertThat(QdrantPoints.cosine(direct, QdrantPoints.vector(s1, "text"))).isGreaterThanOrEqualTo(0.9999);

            RetrievedPoint s2 = retrieve(client, students, "s-2");
            assertThat(javaPayload(s2)).containsEntry("preferred_genres", List.of("fantasy"))
                    .containsEntry("event_id", "e-2");
            float[] direct2 = embedder.embed(List.of(EmbeddingTexts.student(3, "dragons, wizards and castles",
                    List.of("fantasy"))))[0];
            assertThat(QdrantPoints.cosine(direct2, QdrantPoints.vector(s2, "text"))).isGreaterThanOrEqualTo(0.9999);

            assertThat(client.retrieveAsync(students, List.of(PointIdFactory.id(PointIds.student("s-3"))), false,
                    false, null).get()).as("removed student").isEmpty();
            assertThat(client.retrieveAsync(students, List.of(PointIdFactory.id(PointIds.student("s-404"))),
                    false, false, null).get()).as("student without catalog row").isEmpty();
            // the books collection is written by the same sink and holds no students
            assertThat(count(client, books)).isZero();

            List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(dlqTopic, 1, WAIT);
            assertThat(dead).hasSize(1);
            JsonNode letter = JSON.readTree(dead.get(0).value());
            assertThat(letter.get("reason").asText()).isEqualTo("catalog_row_missing");
            assertThat(letter.get("topic").asText()).isEqualTo(studentsTopic);
            assertThat(letter.get("detail").asText()).contains("s-404").contains("students");
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
    }

    private static String event(String eventId, String type, String studentId) {
        return "{\"event_id\":\"" + eventId + "\",\"event_type\":\"" + type
                + "\",\"occurred_at\":\"2026-11-23T10:00:00Z\",\"student_id\":\"" + studentId + "\"}";
    }

    private static long count(QdrantClient client, String collection) {
        try {
            return client.collectionExistsAsync(collection).get() ? client.countAsync(collection).get() : 0;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static RetrievedPoint retrieve(QdrantClient client, String collection, String studentId) {
        try {
            List<RetrievedPoint> points = client.retrieveAsync(collection,
                    List.of(PointIdFactory.id(PointIds.student(studentId))), true, true, null).get();
            assertThat(points).as("point of student %s", studentId).hasSize(1);
            return points.get(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Object> javaPayload(RetrievedPoint p) {
        return p.getPayloadMap().entrySet().stream().filter(e -> Payloads.toJava(e.getValue()) != null)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> Payloads.toJava(e.getValue())));
    }

    private static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + WAIT.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(200);
        }
    }
}
