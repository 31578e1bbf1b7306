package io.shelfstream.connectors.qdrant.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.shelfstream.connectors.qdrant.PayloadIndexType;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.QdrantSink;
import io.shelfstream.connectors.testutils.FakeQdrantGateway;
import io.shelfstream.connectors.testutils.RecordingPause;

class QdrantSinkWriterTest {

    private final FakeQdrantGateway qdrant = new FakeQdrantGateway();
    private final SimpleCounter sent = new SimpleCounter();

    private static QdrantSink.Builder sink() {
        return QdrantSink.builder().setEndpoint(QdrantEndpoint.of("localhost", 6334)).setVectorSize(2)
                .setMaxBatchPoints(3)
                .addCollection("books", indexes());
    }

    private static java.util.Map<String, PayloadIndexType> indexes() {
        java.util.Map<String, PayloadIndexType> indexes = new java.util.LinkedHashMap<>();
        indexes.put("genres", PayloadIndexType.KEYWORD);
        indexes.put("reading_level", PayloadIndexType.INTEGER);
        indexes.put("rating", PayloadIndexType.FLOAT);
        return indexes;
    }

    private QdrantSinkWriter writer(QdrantSink.Builder builder) throws Exception {
        SinkSettings settings = builder.build().settings();
        SinkMetrics metrics = new SinkMetrics(new UnregisteredMetricsGroup());
        return new QdrantSinkWriter(settings, qdrant, new Retrier(settings.retryPolicy(), metrics,
                new RecordingPause(), () -> 0), metrics, new UnregisteredMetricsGroup(), sent);
    }

    private static PointWrite upsert(int id, int version) {
        return PointWrite.upsert("books", new UUID(0, id), new float[] {1, version}, "{\"v\":" + version + "}");
    }

    @Test
    void startingCreatesMissingCollectionsWithTypedPayloadIndexes() throws Exception {
        writer(sink()).close();
        assertThat(qdrant.calls("create")).containsExactly("create books");
        assertThat(qdrant.collection("books").indexes()).containsOnly(
                java.util.Map.entry("genres", PayloadSchemaType.Keyword),
                java.util.Map.entry("reading_level", PayloadSchemaType.Integer),
                java.util.Map.entry("rating", PayloadSchemaType.Float));
        assertThat(qdrant.isClosed()).isTrue();
    }

    @Test
    void startingAddsOnlyMissingIndexesToAnExistingCollection() throws Exception {
        qdrant.withCollection("books", "text", 2, Distance.Cosine);
        qdrant.createPayloadIndex("books", "genres", PayloadSchemaType.Keyword);
        writer(sink()).close();
        assertThat(qdrant.calls("create")).isEmpty();
        assertThat(qdrant.calls("index")).containsExactly("index books genres Keyword",
                "index books reading_level Integer", "index books rating Float");
    }

    @Test
    void startingFailsFastOnACollectionOfAnotherDistance() {
        qdrant.withCollection("books", "text", 2, Distance.Dot);
        assertThatThrownBy(() -> writer(sink()))
                .hasMessageContaining("'books'").hasMessageContaining("Dot").hasMessageContaining("Cosine");
        assertThat(qdrant.isClosed()).isTrue();
    }

    @Test
    void startingFailsFastOnACollectionWithoutTheVectorName() {
        qdrant.withCollection("books", "dense", 2, Distance.Cosine);
        assertThatThrownBy(() -> writer(sink())).hasMessageContaining("no vector named 'text'")
                .hasMessageContaining("[dense]").hasMessageContaining("setVectorName");
    }

    @Test
    void exactlyOnceSendsNothingAndEmitsCompactedCommittablesAtTheBarrier() throws Exception {
        try (QdrantSinkWriter writer = writer(sink())) {
            int callsAfterSetup = qdrant.calls().size();
            for (int i = 0; i < 10; i++) {
                writer.write(upsert(i % 4, i), null);
            }
            writer.write(PointWrite.delete("books", new UUID(0, 3)), null);
            writer.flush(false);
            assertThat(qdrant.calls()).hasSize(callsAfterSetup);

            Collection<QdrantCommittable> committables = writer.prepareCommit();
            assertThat(committables).extracting(QdrantCommittable::isDelete, QdrantCommittable::size)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(false, 3),
                            org.assertj.core.groups.Tuple.tuple(true, 1));
            assertThat(committables.iterator().next().writes()).extracting(PointWrite::payloadJson)
                    .containsExactly("{\"v\":8}", "{\"v\":9}", "{\"v\":6}");
            assertThat(writer.prepareCommit()).as("the next checkpoint starts empty").isEmpty();
            assertThat(qdrant.calls()).hasSize(callsAfterSetup);
            assertThat(sent.getCount()).as("points handed to the committer").isEqualTo(4);
        }
    }

    @Test
    void exactlyOnceFailsWithAHintWhenChangesOutgrowTheBuffer() throws Exception {
        try (QdrantSinkWriter writer = writer(sink().setMaxBatchBytes(1024).setMaxBufferedBytes(1024))) {
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    writer.write(upsert(i, i), null);
                }
            }).hasMessageContaining("setMaxBufferedBytes(1024)").hasMessageContaining("enable checkpointing");
        }
    }

    @Test
    void atLeastOnceSendsFullBatchesAndEverythingAtTheBarrierWithWait() throws Exception {
        try (QdrantSinkWriter writer = writer(sink().setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE))) {
            for (int i = 0; i < 4; i++) {
                writer.write(upsert(i, i), null);
            }
            assertThat(qdrant.calls("upsert")).hasSize(1);
            assertThat(qdrant.collection("books").points()).hasSize(3);
            writer.flush(false);
            assertThat(qdrant.collection("books").points()).hasSize(4);
            assertThat(qdrant.waits()).containsExactly(true, true);
            assertThat(writer.prepareCommit()).isEmpty();
            assertThat(sent.getCount()).isEqualTo(4);
        }
    }

    /** A metric group that, like Flink's, keeps the first counter registered under a name. */
    private static final class FirstWinsGroup extends UnregisteredMetricsGroup {
        final Map<String, Counter> counters = new HashMap<>();

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            counters.putIfAbsent(name, counter);
            return counter;
        }
    }

    @Test
    void atLeastOnceCountsAppliedPointsInTheCounterTheGroupReports() throws Exception {
        FirstWinsGroup group = new FirstWinsGroup();
        SinkSettings settings = sink().setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build().settings();
        try (QdrantSinkWriter writer = QdrantSinkWriter.create(settings, qdrant, group, sent)) {
            for (int i = 0; i < 4; i++) {
                writer.write(upsert(i, i), null);
            }
            writer.flush(false);
        }
        assertThat(group.counters.get(SinkMetrics.POINTS_UPSERTED).getCount()).isEqualTo(4);
        assertThat(group.counters.get(SinkMetrics.REQUESTS).getCount()).as("every call, setup and the two upserts")
                .isEqualTo(qdrant.calls().size());
    }

    @Test
    void atLeastOnceRetriesAndThenFailsTheJob() throws Exception {
        try (QdrantSinkWriter writer = writer(sink().setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setMaxRetries(1))) {
            writer.write(upsert(1, 1), null);
            qdrant.failNext(1, "upsert", Status.Code.UNAVAILABLE);
            writer.flush(false);
            assertThat(qdrant.collection("books").points()).hasSize(1);

            writer.write(upsert(2, 1), null);
            qdrant.failNext(2, "upsert", Status.Code.DEADLINE_EXCEEDED);
            assertThatThrownBy(() -> writer.flush(false)).isInstanceOf(QdrantRequestException.class)
                    .hasMessageContaining("after 2 attempt(s)");
        }
    }

    @Test
    void noGuaranteeSendsWithoutWaitAndNothingAtTheBarrier() throws Exception {
        try (QdrantSinkWriter writer = writer(sink().setDeliveryGuarantee(DeliveryGuarantee.NONE))) {
            writer.write(upsert(1, 1), null);
            writer.flush(false);
            assertThat(qdrant.calls("upsert")).isEmpty();
            writer.flush(true);
            assertThat(qdrant.calls("upsert")).hasSize(1);
            assertThat(qdrant.waits()).containsExactly(false);
        }
    }

    @Test
    void badRecordsFailWhereTheyArriveWithThePointId() throws Exception {
        try (QdrantSinkWriter writer = writer(sink())) {
            assertThatThrownBy(() -> writer.write(PointWrite.upsert("books", new UUID(0, 9), new float[3], "{}"),
                    null)).hasMessageContaining(new UUID(0, 9).toString()).hasMessageContaining("setVectorSize");
        }
    }
}
