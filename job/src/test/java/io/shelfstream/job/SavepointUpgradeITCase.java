package io.shelfstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.LibraryExpectation;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * A savepoint-based upgrade in the middle of the stream: the job runs at parallelism 1 with profile weight 0.5, is
 * stopped with a savepoint while checkouts are still coming, and a modified job (parallelism 2, so keyed state is
 * redistributed; profile weight 0.7; one operator added) restores it and finishes the stream. Qdrant must then hold
 * exactly what an uninterrupted run of the modified job writes into collections of its own: the same points, the
 * same payloads, the same vectors (cosine >= 0.9999), on RocksDB state.
 */
class SavepointUpgradeITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(LibraryPipelineITCase.rocksDb(METRICS.addToConfiguration(new Configuration())))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    Path temp;

    @Test
    void aModifiedJobRestoredFromAMidStreamSavepointEndsLikeAnUninterruptedRun() throws Exception {
        LibraryGenerator library = LibraryGenerator.create(GeneratorOptions.builder()
                .setBooks(120).setStudents(40).setCheckouts(1_500).setSeed(31).setMalformedFraction(0).build());
        List<GeneratedRecord> books = list(library.records(EventTopic.BOOKS));
        List<GeneratedRecord> students = list(library.records(EventTopic.STUDENTS));
        Set<String> removedBooks = LibraryExpectation.removedBooks(books);
        List<GeneratedRecord> checkouts = new ArrayList<>();
        for (GeneratedRecord r : library.records(EventTopic.CHECKOUTS)) {
            if (!removedBooks.contains(((CheckoutEvent) r.event()).bookId())) {
                checkouts.add(r);
            }
        }
        LibraryExpectation expected = new LibraryExpectation(library, books, students, checkouts);
        int firstPart = checkouts.size() * 3 / 5;

        try (PipelineFixture fixture = PipelineFixture.create(2)) {
            fixture.loadCatalog(library);
            fixture.send(EventTopic.BOOKS, books);
            fixture.send(EventTopic.STUDENTS, students);
            fixture.send(EventTopic.CHECKOUTS, checkouts.subList(0, firstPart));

            // version 1: parallelism 1, weight 0.5, stopped with a savepoint once checkouts are being joined
            JobOptions v1 = fixture.options().with("parallelism", "1").with("taste.profile-weight", "0.5");
            StreamExecutionEnvironment env1 = StreamExecutionEnvironment.getExecutionEnvironment();
            ShelfstreamJob.configure(env1, v1);
            PipelineFixture.job(v1, false).build(env1);
            JobClient first = env1.executeAsync("upgrade-v1");
            PipelineFixture.waitUntil("checkouts are joined", () -> JobMetrics.counter(METRICS, first.getJobID(),
                    "Join checkouts", "checkoutsJoined") > 100);
            String savepoint = first.stopWithSavepoint(false, temp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            fixture.send(EventTopic.CHECKOUTS, checkouts.subList(firstPart, checkouts.size()));

            // version 2: parallelism 2, weight 0.7 and an added operator, restored from the savepoint
            JobOptions v2 = v1.with("parallelism", "2").with("taste.profile-weight", "0.7");
            Configuration restore = new Configuration();
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            StreamExecutionEnvironment env2 = StreamExecutionEnvironment.getExecutionEnvironment(restore);
            ShelfstreamJob.configure(env2, v2);
            PipelineFixture.job(v2, false).build(env2);
            addedOperator(env2, v2);
            JobClient second = env2.executeAsync("upgrade-v2");
            try {
                PipelineFixture.waitUntil("every checkout is counted",
                        () -> checkoutCountsMatch(fixture, fixture.booksCollection(), fixture.studentsCollection(),
                                expected));
                assertThat(second.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
                // one more checkpoint, so that no rewrite is still on its way
                Thread.sleep(3_000);
            } finally {
                second.cancel().get();
            }

            // the same modified job, uninterrupted, into collections of its own
            JobOptions uninterrupted = v2.with("kafka.group-id", TestNames.fresh("group"))
                    .with("qdrant.collection.books", TestNames.fresh("books"))
                    .with("qdrant.collection.students", TestNames.fresh("students"))
                    .with("topic.dead-letter", fixture.deadLetterTopic());
            StreamExecutionEnvironment env3 = StreamExecutionEnvironment.getExecutionEnvironment();
            ShelfstreamJob.configure(env3, uninterrupted);
            PipelineFixture.job(uninterrupted, true).build(env3);
            env3.execute("uninterrupted");

            assertSameCollection(fixture.points(fixture.booksCollection()),
                    fixture.points(uninterrupted.get("qdrant.collection.books")), expected.presentBooks.size());
            assertSameCollection(fixture.points(fixture.studentsCollection()),
                    fixture.points(uninterrupted.get("qdrant.collection.students")),
                    expected.presentStudents.size());
        }
    }

    /** An operator the first version did not have: a stateless count of checkouts records, with a new uid. */
    private static void addedOperator(StreamExecutionEnvironment env, JobOptions options) {
        env.fromSource(ShelfstreamJob.topicSourceBuilder(options, options.get("topic.checkouts"))
                        .setGroupId(TestNames.fresh("added")).build(),
                        org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks(), "Kafka: added")
                .uid("added-in-v2-source")
                .map(RawRecord::offset).returns(Types.LONG)
                .uid("added-in-v2")
                .name("Added in v2")
                .sinkTo(new DiscardingSink<>())
                .uid("added-in-v2-sink");
    }

    private static boolean checkoutCountsMatch(PipelineFixture fixture, String books, String students,
            LibraryExpectation expected) {
        Map<String, RetrievedPoint> bookPoints = fixture.points(books);
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
        Map<String, RetrievedPoint> studentPoints = fixture.points(students);
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

    private static void assertSameCollection(Map<String, RetrievedPoint> upgraded,
            Map<String, RetrievedPoint> uninterrupted, int size) {
        assertThat(upgraded).hasSize(size);
        assertThat(upgraded.keySet()).isEqualTo(uninterrupted.keySet());
        for (Map.Entry<String, RetrievedPoint> e : upgraded.entrySet()) {
            RetrievedPoint other = uninterrupted.get(e.getKey());
            assertThat(javaPayload(e.getValue())).as("payload of %s", e.getKey()).isEqualTo(javaPayload(other));
            assertThat(QdrantPoints.cosine(QdrantPoints.vector(e.getValue(), "text"),
                    QdrantPoints.vector(other, "text"))).as("vector of %s", e.getKey()).isGreaterThanOrEqualTo(0.9999);
        }
    }

    /**
     * The payload without {@code event_id} and {@code source}: a book's events can sit in different partitions (a
     * batch event is keyed by its first book), so which of two events with the same text wrote a point last (the
     * later one is skipped as unchanged) depends on how the partitions interleave, in any run.
     */
    private static Map<String, Object> javaPayload(RetrievedPoint p) {
        Map<String, Object> out = new HashMap<>();
        p.getPayloadMap().forEach((k, v) -> out.put(k, Payloads.toJava(v)));
        out.remove("event_id");
        out.remove("source");
        return out;
    }

    private static List<GeneratedRecord> list(Iterable<GeneratedRecord> records) {
        List<GeneratedRecord> out = new ArrayList<>();
        records.forEach(out::add);
        return out;
    }
}
