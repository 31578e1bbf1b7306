package io.shelfstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
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

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.job.operators.DeadLetterCounters;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.CatalogLoader;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.StudentEvent;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * Valid and malformed records on all three topics go through the running job: every valid record is processed,
 * every malformed one reaches the dead-letter topic exactly once with its reason, position and original bytes,
 * nothing is lost, the per-reason counters agree, and the job keeps running.
 */
class MixedInputITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    private static final int MAX_RECORD_BYTES = 4096;
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** What was sent, by position. */
    private record Sent(EventTopic topic, byte[] key, byte[] value, DeadLetterReason reason, long timestamp) {
    }

    @Test
    void everyRecordIsProcessedOrDeadLetteredOnceWhileTheJobKeepsRunning() throws Exception {
        LocalKafka kafka = LocalServices.kafka();
        LocalPostgres postgres = LocalServices.postgres();
        Map<EventTopic, String> topics = new EnumMap<>(EventTopic.class);
        for (EventTopic t : EventTopic.values()) {
            topics.put(t, TestNames.fresh(t.defaultName()));
            kafka.createTopic(topics.get(t), 2);
        }
        String dlq = TestNames.fresh("dlq");
        kafka.createTopic(dlq, 1);
        String database = TestNames.fresh("catalog");
        String collection = TestNames.fresh("books");
        String studentsCollection = TestNames.fresh("students");
        String jdbcUrl = postgres.createDatabase(database);

        LibraryGenerator library = LibraryGenerator.create(GeneratorOptions.builder()
                .setBooks(16).setStudents(10).setCheckouts(40).setSeed(2026)
                .setMalformedFraction(0.35).setMaxRecordBytes(MAX_RECORD_BYTES).build());
        CatalogLoader.create().load(jdbcUrl, LocalPostgres.USER, LocalPostgres.PASSWORD, library.books(),
                library.students());

        JobOptions options = JobOptions.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.group-id", TestNames.fresh("group"))
                .with("topic.books", topics.get(EventTopic.BOOKS))
                .with("topic.students", topics.get(EventTopic.STUDENTS))
                .with("topic.checkouts", topics.get(EventTopic.CHECKOUTS))
                .with("topic.dead-letter", dlq)
                .with("record.max-bytes", String.valueOf(MAX_RECORD_BYTES))
                .with("catalog.jdbc-url", jdbcUrl)
                .with("qdrant.url", "http://localhost:" + LocalServices.qdrant().port())
                .with("qdrant.collection.books", collection)
                .with("qdrant.collection.students", studentsCollection)
                .with("embedding.device", "cpu")
                .with("checkpoint.interval", "1s");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ShelfstreamJob.configure(env, options);
        new ShelfstreamJob(options, ShelfstreamJob.booksSource(options), ShelfstreamJob.studentsSource(options),
                ShelfstreamJob.checkoutsSource(options), ShelfstreamJob.qdrantSink(options),
                ShelfstreamJob.deadLetterSink(options)).build(env);
        JobClient job = env.executeAsync("mixed-input");
        try {
            // half before the job reads, half while it runs
            Map<String, Sent> sent = new HashMap<>();
            List<Sent> all = new ArrayList<>();
            for (EventTopic t : EventTopic.values()) {
                for (GeneratedRecord r : library.records(t)) {
                    all.add(new Sent(t, r.keyBytes(), r.value(), r.expectedReason(), 0));
                }
            }
            // records the generator does not make: no value at all, and no key
            all.add(new Sent(EventTopic.STUDENTS, "s-000001".getBytes(StandardCharsets.UTF_8), null,
                    DeadLetterReason.NOT_JSON, 0));
            all.add(new Sent(EventTopic.CHECKOUTS, null, "{\"event_type\":\"checkout_created\"}"
                    .getBytes(StandardCharsets.UTF_8), DeadLetterReason.MISSING_FIELD, 0));
            send(kafka, topics, all.subList(0, all.size() / 2), sent);
            waitUntil("the job is running", () -> status(job) == JobStatus.RUNNING);
            send(kafka, topics, all.subList(all.size() / 2, all.size()), sent);

            Map<EventTopic, Integer> valid = new EnumMap<>(EventTopic.class);
            Map<DeadLetterReason, Integer> malformed = new EnumMap<>(DeadLetterReason.class);
            for (Sent s : sent.values()) {
                if (s.reason() == null) {
                    valid.merge(s.topic(), 1, Integer::sum);
                } else {
                    malformed.merge(s.reason(), 1, Integer::sum);
                }
            }
            assertThat(malformed.keySet()).as("the mix covers every reason a parser gives").containsAll(
                    List.of(DeadLetterReason.NOT_UTF8, DeadLetterReason.NOT_JSON, DeadLetterReason.NOT_AN_OBJECT,
                            DeadLetterReason.UNKNOWN_EVENT_TYPE, DeadLetterReason.MISSING_FIELD,
                            DeadLetterReason.MALFORMED_ID, DeadLetterReason.WRONG_TYPE, DeadLetterReason.TOO_LARGE,
                            DeadLetterReason.TOO_DEEP, DeadLetterReason.DUPLICATE_FIELD));
            int expectedDead = malformed.values().stream().mapToInt(Integer::intValue).sum();

            // every malformed record reaches the dead-letter topic with its reason, position and original bytes
            List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(dlq, expectedDead, WAIT);
            Set<String> positions = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : dead) {
                DeadLetter d = DeadLetter.fromJson(record.value());
                String position = d.topic() + "/" + d.partition() + "/" + d.offset();
                assertThat(positions.add(position)).as("dead-lettered twice: %s", position).isTrue();
                Sent s = sent.get(position);
                assertThat(s).as("dead letter for a record never sent: %s", position).isNotNull();
                assertThat(d.reason()).as("%s: %s", position, d.detail()).isEqualTo(s.reason());
                assertThat(d.value()).isEqualTo(s.value());
                assertThat(d.key()).isEqualTo(s.key());
                assertThat(record.key()).isEqualTo(s.key());
                assertThat(d.timestamp()).isEqualTo(s.timestamp());
                assertThat(d.detail()).isNotBlank();
            }
            assertThat(dead).hasSize(expectedDead);

            // every valid record is parsed, and the books and students reach Qdrant (the catalog has every student
            // the events name, so no valid student becomes a catalog_row_missing dead letter)
            JobID id = job.getJobID();
            waitUntil("every valid record parsed",
                    () -> counter(id, "Parse books events", "eventsParsed") == valid.get(EventTopic.BOOKS)
                            && counter(id, "Parse students events", "eventsParsed") == valid.get(EventTopic.STUDENTS)
                            && counter(id, "Parse checkouts events", "eventsParsed")
                                    == valid.get(EventTopic.CHECKOUTS));
            Set<String> books = new HashSet<>();
            for (GeneratedRecord r : library.records(EventTopic.BOOKS)) {
                if (!r.isMalformed()) {
                    books.addAll(((BookEvent) r.event()).bookIds());
                }
            }
            // a student has a point unless its last valid event removed it (one key, one partition: sent order)
            Map<String, Boolean> studentRemoved = new HashMap<>();
            for (GeneratedRecord r : library.records(EventTopic.STUDENTS)) {
                if (!r.isMalformed()) {
                    StudentEvent e = (StudentEvent) r.event();
                    studentRemoved.put(e.studentId(), e.eventType() == StudentEvent.StudentEventType.STUDENT_REMOVED);
                }
            }
            long students = studentRemoved.values().stream().filter(removed -> !removed).count();
            assertThat(students).as("the mix has students to embed").isPositive();
            try (QdrantClient client = QdrantEndpoint.of("localhost", LocalServices.qdrant().port()).newClient()) {
                waitUntil("a point per book", () -> count(client, collection) == books.size());
                waitUntil("a point per present student", () -> count(client, studentsCollection) == students);
                for (Map.Entry<String, Boolean> student : studentRemoved.entrySet()) {
                    assertThat(client.retrieveAsync(studentsCollection,
                            List.of(PointIdFactory.id(PointIds.student(student.getKey()))), false, false, null)
                            .get()).as("point of %s", student.getKey()).hasSize(student.getValue() ? 0 : 1);
                }
            }

            // the per-reason counters say the same as the topic
            for (DeadLetterReason reason : DeadLetterReason.values()) {
                assertThat(reasonCounter(id, reason)).as(reason.wireName())
                        .isEqualTo(malformed.getOrDefault(reason, 0).longValue());
            }

            // nothing more arrives after further checkpoints, and the job is still running
            Thread.sleep(3_000);
            assertThat(kafka.readAll(dlq, expectedDead, Duration.ofSeconds(10))).hasSize(expectedDead);
            assertThat(status(job)).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
    }

    private static void send(LocalKafka kafka, Map<EventTopic, String> topics, List<Sent> records,
            Map<String, Sent> sent) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * MAX_RECORD_BYTES));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Sent s : records) {
                RecordMetadata m = producer.send(new ProducerRecord<>(topics.get(s.topic()), s.key(), s.value())).get();
                sent.put(m.topic() + "/" + m.partition() + "/" + m.offset(),
                        new Sent(s.topic(), s.key(), s.value(), s.reason(), m.timestamp()));
            }
        }
    }

    private static JobStatus status(JobClient job) {
        try {
            return job.getJobStatus().get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long count(QdrantClient client, String collection) {
        try {
            return client.collectionExistsAsync(collection).get() ? client.countAsync(collection).get() : 0;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Sum of a counter of an operator over its subtasks. */
    private static long counter(JobID job, String operator, String name) {
        return JobMetrics.counter(METRICS, job, operator, name);
    }

    /** Sum of one reason's dead-letter counter over every operator that counts dead letters. */
    private static long reasonCounter(JobID job, DeadLetterReason reason) {
        return JobMetrics.counter(METRICS, job, "", DeadLetterCounters.GROUP + "." + reason.wireName());
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
