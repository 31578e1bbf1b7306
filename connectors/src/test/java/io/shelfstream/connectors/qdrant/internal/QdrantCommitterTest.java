package io.shelfstream.connectors.qdrant.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.QdrantSink;
import io.shelfstream.connectors.testutils.FakeCommitRequest;
import io.shelfstream.connectors.testutils.FakeQdrantGateway;
import io.shelfstream.connectors.testutils.RecordingPause;

class QdrantCommitterTest {

    private static final UUID A = new UUID(0, 0xA);
    private static final UUID B = new UUID(0, 0xB);
    private static final UUID C = new UUID(0, 0xC);

    private final FakeQdrantGateway qdrant = new FakeQdrantGateway();
    private final RecordingPause pause = new RecordingPause();
    private final SinkMetrics metrics = new SinkMetrics(new UnregisteredMetricsGroup());
    private final SinkSettings settings = QdrantSink.builder().setEndpoint(QdrantEndpoint.of("localhost", 6334))
            .setVectorSize(2).setMaxRetries(2).setRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40))
            .addCollection("books", List.of("genres")).build().settings();
    private final QdrantCommitter committer = new QdrantCommitter(settings, qdrant,
            new Retrier(settings.retryPolicy(), metrics, pause, () -> 0.5), metrics);

    private static QdrantCommittable upserts(UUID... ids) {
        List<PointWrite> writes = new ArrayList<>();
        for (UUID id : ids) {
            writes.add(PointWrite.upsert("books", id, new float[] {1, 0}, "{\"id\":\"" + id + "\"}"));
        }
        return QdrantCommittable.upserts("books", writes);
    }

    private static QdrantCommittable deletes(UUID... ids) {
        List<PointWrite> writes = new ArrayList<>();
        for (UUID id : ids) {
            writes.add(PointWrite.delete("books", id));
        }
        return QdrantCommittable.deletes("books", writes);
    }

    private static List<FakeCommitRequest<QdrantCommittable>> requests(QdrantCommittable... committables) {
        List<FakeCommitRequest<QdrantCommittable>> out = new ArrayList<>();
        for (QdrantCommittable c : committables) {
            out.add(new FakeCommitRequest<>(c));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private void commit(List<FakeCommitRequest<QdrantCommittable>> requests) throws Exception {
        committer.commit((Collection<CommitRequest<QdrantCommittable>>) (Collection<?>) requests);
    }

    @Test
    void committablesAreAppliedInTheGivenOrderWithWait() throws Exception {
        var requests = requests(upserts(A, B), deletes(A), upserts(C));
        commit(requests);

        assertThat(requests).allSatisfy(r -> assertThat(r.isCommitted()).isTrue());
        assertThat(qdrant.calls("upsert").size() + qdrant.calls("delete").size()).isEqualTo(3);
        assertThat(qdrant.calls()).filteredOn(c -> c.startsWith("upsert") || c.startsWith("delete"))
                .containsExactly("upsert books [" + A + ", " + B + "]", "delete books [" + A + "]",
                        "upsert books [" + C + "]");
        assertThat(qdrant.waits()).containsOnly(true);
        assertThat(qdrant.collection("books").points()).containsOnlyKeys(B.toString(), C.toString());
        assertThat(metrics.pointsUpserted()).isEqualTo(3);
        assertThat(metrics.pointsDeleted()).isEqualTo(1);
    }

    @Test
    void collectionsAreCreatedBeforeTheFirstCommitOnly() throws Exception {
        commit(requests(upserts(A)));
        commit(requests(upserts(B)));
        assertThat(qdrant.calls("create")).containsExactly("create books");
        assertThat(qdrant.calls("exists")).hasSize(1);
        assertThat(qdrant.collection("books").indexes()).containsEntry("genres", PayloadSchemaType.Keyword);
    }

    @Test
    void nothingToCommitMakesNoCall() throws Exception {
        commit(List.of());
        assertThat(qdrant.calls()).isEmpty();
    }

    @Test
    void reApplyingACommittableChangesNothing() throws Exception {
        qdrant.withCollection("books", "text", 2, Distance.Cosine);
        QdrantCommittable first = upserts(A, B);
        QdrantCommittable second = deletes(B);
        commit(requests(first, second));
        var before = new java.util.LinkedHashMap<>(qdrant.collection("books").points());

        // A restore re-commits the committables of the restored checkpoint, in checkpoint order.
        commit(requests(first, second));
        commit(requests(second));

        assertThat(qdrant.collection("books").points()).isEqualTo(before).containsOnlyKeys(A.toString());
    }

    @Test
    void transientErrorsAreRetriedWithinTheCommit() throws Exception {
        qdrant.withCollection("books", "text", 2, Distance.Cosine).failNext(2, "upsert", Status.Code.UNAVAILABLE);
        var requests = requests(upserts(A));
        commit(requests);
        assertThat(requests.get(0).isCommitted()).isTrue();
        assertThat(qdrant.calls("upsert")).hasSize(3);
        assertThat(pause.waits()).containsExactly(Duration.ofMillis(7).plusNanos(500_000),
                Duration.ofMillis(15));
        assertThat(metrics.retries()).isEqualTo(2);
    }

    @Test
    void aCommittableThatKeepsFailingHoldsBackEveryLaterOne() throws Exception {
        qdrant.withCollection("books", "text", 2, Distance.Cosine);
        var requests = requests(upserts(A), deletes(A), upserts(B));
        qdrant.failNext(3, "delete", Status.Code.RESOURCE_EXHAUSTED);

        commit(requests);

        assertThat(requests.get(0).isCommitted()).isTrue();
        assertThat(requests.get(1).state()).isEqualTo(FakeCommitRequest.State.RETRY_LATER);
        assertThat(requests.get(2).state()).as("not sent: it must not overtake the delete")
                .isEqualTo(FakeCommitRequest.State.RETRY_LATER);
        assertThat(qdrant.calls("upsert")).containsExactly("upsert books [" + A + "]");
        assertThat(qdrant.collection("books").points()).containsOnlyKeys(A.toString());

        // Flink hands the unfinished requests back; Qdrant has recovered.
        var retried = List.of(requests.get(1).selectAgain(), requests.get(2).selectAgain());
        commit(retried);
        assertThat(retried).allSatisfy(r -> assertThat(r.isCommitted()).isTrue());
        assertThat(qdrant.collection("books").points()).containsOnlyKeys(B.toString());
    }

    @Test
    void unreachableQdrantAtTheFirstCommitRetriesEveryCommittableLater() throws Exception {
        qdrant.failNext(3, "exists", Status.Code.UNAVAILABLE);
        var requests = requests(upserts(A), upserts(B));
        commit(requests);
        assertThat(requests).allSatisfy(r -> assertThat(r.state()).isEqualTo(FakeCommitRequest.State.RETRY_LATER));
        assertThat(qdrant.calls("upsert")).isEmpty();

        commit(List.of(requests.get(0).selectAgain(), requests.get(1).selectAgain()));
        assertThat(qdrant.collection("books").points()).containsOnlyKeys(A.toString(), B.toString());
    }

    @Test
    void aRejectedPointFailsTheJobNamingThePointAndQdrantsMessage() throws Exception {
        qdrant.withCollection("books", "text", 2, Distance.Cosine)
                .rejectPoint(B.toString(), "Wrong input: payload too deep");
        var requests = requests(upserts(A, B, C));

        assertThatThrownBy(() -> commit(requests))
                .isInstanceOf(IllegalStateException.class)
                .cause().isInstanceOfSatisfying(QdrantRequestException.class, e -> {
                    assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e).hasMessageContaining("point " + B)
                            .hasMessageContaining("Wrong input: payload too deep")
                            .hasMessageContaining("collection 'books'");
                });
        assertThat(requests.get(0).state()).isEqualTo(FakeCommitRequest.State.FAILED_UNKNOWN);
        assertThat(pause.waits()).as("permanent errors are not retried").isEmpty();
    }

    @Test
    void anExistingCollectionOfAnotherDimensionFailsFast() {
        qdrant.withCollection("books", "text", 384, Distance.Cosine);
        assertThatThrownBy(() -> commit(requests(upserts(A))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'books'").hasMessageContaining("384 dimensions")
                .hasMessageContaining("writes 2").hasMessageContaining("never recreates");
        assertThat(qdrant.calls("upsert")).isEmpty();
    }

    @Test
    void anInterruptPropagates() {
        qdrant.withCollection("books", "text", 2, Distance.Cosine);
        assertThatThrownBy(() -> {
            commit(requests(upserts(A)));
            qdrant.interruptNext();
            commit(requests(upserts(B)));
        }).isInstanceOf(InterruptedException.class);
    }

    @Test
    void closingClosesTheConnection() {
        committer.close();
        assertThat(qdrant.isClosed()).isTrue();
    }
}
