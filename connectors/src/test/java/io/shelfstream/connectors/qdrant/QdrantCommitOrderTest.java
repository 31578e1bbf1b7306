package io.shelfstream.connectors.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.runtime.operators.sink.CommitterOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.PointsGrpc;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.qdrant.internal.QdrantCommittable;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.connectors.testutils.TestNames;

/**
 * Pins the behaviour of Flink's committer operator that the sink's no-regression guarantee rests on, with the real
 * committer, committable serializer and the local Qdrant-compatible server: committables restored from a
 * checkpoint are committed while the operator initializes, in checkpoint order; and a checkpoint is committed only
 * after every earlier one, a commit that keeps failing failing the task instead of being overtaken. If a Flink
 * upgrade changes either, this test fails.
 */
class QdrantCommitOrderTest {

    private static final UUID A = new UUID(7, 1);
    private static final UUID B = new UUID(7, 2);

    private static LocalQdrantServer server;
    private static QdrantClient client;

    private String collection;
    private RecordingSink sink;

    @BeforeAll
    static void startServer() {
        server = LocalQdrantServer.start();
        client = QdrantEndpoint.of(server.host(), server.port()).newClient();
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.close();
    }

    @BeforeEach
    void freshCollection() {
        server.clearFaults();
        collection = TestNames.fresh("order");
        sink = new RecordingSink(QdrantSink.builder().setEndpoint(QdrantEndpoint.of(server.host(), server.port()))
                .setVectorSize(2).setMaxRetries(0).addCollection(collection, List.of()).build());
        RecordingSink.COMMITTED.clear();
    }

    @Test
    void restoredCommittablesAreCommittedInCheckpointOrderBeforeTheOperatorRuns() throws Exception {
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<CommittableMessage<QdrantCommittable>,
                CommittableMessage<QdrantCommittable>> before = harness()) {
            before.open();
            add(before, 1, upsert(A, 1), upsert(B, 1));
            before.snapshot(1, 1);
            add(before, 2, upsert(A, 2), delete(B));
            // Checkpoint 1 was never confirmed: the state of checkpoint 2 still holds its committables.
            state = before.snapshot(2, 2);
            before.notifyOfCompletedCheckpoint(2);
        }
        assertThat(RecordingSink.COMMITTED).containsExactly("A=1", "B=1", "A=2", "B deleted");
        assertThat(points()).containsOnly(Map.entry(A.toString(), 2L));

        RecordingSink.COMMITTED.clear();
        try (OneInputStreamOperatorTestHarness<CommittableMessage<QdrantCommittable>,
                CommittableMessage<QdrantCommittable>> after = harness()) {
            after.setRestoredCheckpointId(2);
            after.initializeState(state);
            assertThat(RecordingSink.COMMITTED).as("committed while initializing, oldest checkpoint first")
                    .containsExactly("A=1", "B=1", "A=2", "B deleted");
            after.open();
        }
        assertThat(points()).as("the older committable applied again is overtaken by the newer one")
                .containsOnly(Map.entry(A.toString(), 2L));
    }

    @Test
    void aCheckpointThatCannotBeCommittedIsNeverOvertakenByALaterOne() throws Exception {
        OperatorSubtaskState state;
        try (OneInputStreamOperatorTestHarness<CommittableMessage<QdrantCommittable>,
                CommittableMessage<QdrantCommittable>> before = harness()) {
            before.open();
            add(before, 1, delete(A));
            add(before, 2, upsert(A, 2));
            state = before.snapshot(2, 2);
            server.failFor(Duration.ofMinutes(1), PointsGrpc.getDeleteMethod().getFullMethodName());

            assertThatThrownBy(() -> before.notifyOfCompletedCheckpoint(2))
                    .hasMessageContaining("Failed to commit");
        }
        assertThat(RecordingSink.COMMITTED).as("checkpoint 1 handed back and retried, checkpoint 2 never tried")
                .hasSize(11).containsOnly("A deleted?");
        assertThat(points()).isEmpty();

        server.clearFaults();
        RecordingSink.COMMITTED.clear();
        try (OneInputStreamOperatorTestHarness<CommittableMessage<QdrantCommittable>,
                CommittableMessage<QdrantCommittable>> after = harness()) {
            after.setRestoredCheckpointId(2);
            after.initializeState(state);
            after.open();
        }
        assertThat(RecordingSink.COMMITTED).containsExactly("A deleted", "A=2");
        assertThat(points()).containsOnly(Map.entry(A.toString(), 2L));
    }

    // ------------------------------------------------------------------ helpers

    private OneInputStreamOperatorTestHarness<CommittableMessage<QdrantCommittable>,
            CommittableMessage<QdrantCommittable>> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new CommitterOperatorFactory<>(sink, false, true));
    }

    private static void add(OneInputStreamOperatorTestHarness<CommittableMessage<QdrantCommittable>,
            CommittableMessage<QdrantCommittable>> harness, long checkpoint, QdrantCommittable... committables)
            throws Exception {
        harness.processElement(new StreamRecord<>(new CommittableSummary<>(0, 1, checkpoint, committables.length,
                0)));
        for (QdrantCommittable c : committables) {
            harness.processElement(new StreamRecord<>(new CommittableWithLineage<>(c, checkpoint, 0)));
        }
    }

    private QdrantCommittable upsert(UUID id, int version) {
        return QdrantCommittable.upserts(collection, List.of(PointWrite.upsert(collection, id,
                new float[] {1, version}, "{\"name\":\"" + (id.equals(A) ? "A" : "B") + "\",\"v\":" + version + "}")));
    }

    private QdrantCommittable delete(UUID id) {
        return QdrantCommittable.deletes(collection, List.of(PointWrite.delete(collection, id)));
    }

    private Map<String, Long> points() throws Exception {
        Map<String, Long> out = new java.util.HashMap<>();
        for (Map.Entry<String, RetrievedPoint> p : QdrantPoints.scrollAll(client, collection).entrySet()) {
            out.put(p.getKey(), (Long) Payloads.toJava(p.getValue().getPayloadMap().get("v")));
        }
        return out;
    }

    /**
     * The Qdrant sink, with a committer that records each committable it was given: "A=2", "B deleted", and a
     * trailing "?" when it was handed back for a retry.
     */
    static final class RecordingSink implements Sink<PointWrite>, SupportsCommitter<QdrantCommittable> {
        static final List<String> COMMITTED = Collections.synchronizedList(new ArrayList<>());

        private final QdrantSink delegate;

        RecordingSink(QdrantSink delegate) {
            this.delegate = delegate;
        }

        @Override
        public SinkWriter<PointWrite> createWriter(WriterInitContext context) {
            throw new UnsupportedOperationException("committer only");
        }

        @Override
        public Committer<QdrantCommittable> createCommitter(CommitterInitContext context) throws java.io.IOException {
            Committer<QdrantCommittable> committer = delegate.createCommitter(context);
            return new Committer<>() {
                @Override
                public void commit(Collection<CommitRequest<QdrantCommittable>> requests)
                        throws java.io.IOException, InterruptedException {
                    List<RecordingRequest> recording = new ArrayList<>();
                    requests.forEach(r -> recording.add(new RecordingRequest(r)));
                    committer.commit(new ArrayList<>(recording));
                    for (RecordingRequest r : recording) {
                        COMMITTED.add(label(r.getCommittable()) + (r.handedBack ? "?" : ""));
                    }
                }

                @Override
                public void close() throws Exception {
                    committer.close();
                }
            };
        }

        private static String label(QdrantCommittable c) {
            PointWrite w = c.writes().get(0);
            String name = w.pointId().equals(A.toString()) ? "A" : "B";
            if (c.isDelete()) {
                return name + " deleted";
            }
            return name + "=" + Payloads.toJava(Payloads.fromJson(w.payloadJson()).get("v"));
        }

        @Override
        public SimpleVersionedSerializer<QdrantCommittable> getCommittableSerializer() {
            return delegate.getCommittableSerializer();
        }
    }

    /** A commit request that remembers whether the committer handed it back for a retry. */
    static final class RecordingRequest implements Committer.CommitRequest<QdrantCommittable> {
        private final Committer.CommitRequest<QdrantCommittable> request;
        boolean handedBack;

        RecordingRequest(Committer.CommitRequest<QdrantCommittable> request) {
            this.request = request;
        }

        @Override
        public QdrantCommittable getCommittable() {
            return request.getCommittable();
        }

        @Override
        public int getNumberOfRetries() {
            return request.getNumberOfRetries();
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            request.signalFailedWithKnownReason(t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            request.signalFailedWithUnknownReason(t);
        }

        @Override
        public void retryLater() {
            handedBack = true;
            request.retryLater();
        }

        @Override
        public void updateAndRetryLater(QdrantCommittable committable) {
            handedBack = true;
            request.updateAndRetryLater(committable);
        }

        @Override
        public void signalAlreadyCommitted() {
            request.signalAlreadyCommitted();
        }
    }
}
