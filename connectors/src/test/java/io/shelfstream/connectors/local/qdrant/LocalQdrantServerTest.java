package io.shelfstream.connectors.local.qdrant;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorsFactory.vectors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import io.qdrant.client.grpc.PointsGrpc;

class LocalQdrantServerTest {

    private static final String UPSERT = PointsGrpc.getUpsertMethod().getFullMethodName();
    private static final WithVectorsSelector NO_VECTORS = WithVectorsSelectorFactory.enable(false);

    private LocalQdrantServer server;
    private QdrantClient client;

    @BeforeEach
    void startServer() throws Exception {
        server = LocalQdrantServer.start();
        client = new QdrantClient(QdrantGrpcClient.newBuilder(server.host(), server.port(), false).build());
        client.createCollectionAsync("c", VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build())
                .get();
    }

    @AfterEach
    void stopServer() {
        client.close();
        server.close();
    }

    private static PointStruct point(long id) {
        return PointStruct.newBuilder().setId(id(id)).setVectors(vectors(1f, 2f))
                .putAllPayload(Map.of("keep", value("k"), "secret", value("s"),
                        "nested", value(Map.of("a", value(1), "b", value(2)))))
                .build();
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.get();
    }

    private static Status.Code codeOf(ThrowingCall call) {
        try {
            call.run();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
            return ((StatusRuntimeException) e.getCause()).getStatus().getCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return Status.Code.OK;
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void bindsLoopbackAndReportsItsUrl() {
        assertThat(server.host()).isEqualTo("127.0.0.1");
        assertThat(server.port()).isPositive();
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    }

    @Test
    void failNextCallsRejectsOnlyTheNamedMethodBeforeApplying() throws Exception {
        server.failNextCalls(2, UPSERT);
        assertThat(codeOf(() -> client.upsertAsync("c", List.of(point(1))).get())).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(get(client.countAsync("c"))).as("other methods pass, nothing was applied").isZero();
        assertThat(codeOf(() -> client.upsertAsync("c", List.of(point(1))).get())).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(codeOf(() -> client.upsertAsync("c", List.of(point(1))).get())).isEqualTo(Status.Code.OK);
        assertThat(get(client.countAsync("c"))).isEqualTo(1);
        assertThat(server.injectedFailures()).isEqualTo(2);
        assertThat(server.calls(UPSERT)).isEqualTo(3);
    }

    @Test
    void failNextCallsCanAnswerWithAnotherStatus() throws Exception {
        server.failNextCalls(1, Status.Code.RESOURCE_EXHAUSTED, UPSERT);
        assertThat(codeOf(() -> client.upsertAsync("c", List.of(point(1))).get()))
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(codeOf(() -> client.upsertAsync("c", List.of(point(1))).get())).isEqualTo(Status.Code.OK);
        server.failFor(Duration.ofSeconds(5), UPSERT);
        assertThat(codeOf(() -> client.upsertAsync("c", List.of(point(1))).get()))
                .as("an outage window still answers UNAVAILABLE").isEqualTo(Status.Code.UNAVAILABLE);
        assertThatThrownBy(() -> server.failNextCalls(1, Status.Code.OK)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void failNextCallsAfterApplyingLosesTheReplyButKeepsTheWrite() throws Exception {
        server.failNextCallsAfterApplying(1, UPSERT);
        assertThat(codeOf(() -> client.upsertAsync("c", List.of(point(5))).get())).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(get(client.countAsync("c"))).isEqualTo(1);
    }

    @Test
    void failForRejectsEveryCallUntilTheWindowEnds() throws Exception {
        server.failFor(Duration.ofMillis(300));
        assertThat(codeOf(() -> client.countAsync("c").get())).isEqualTo(Status.Code.UNAVAILABLE);
        Thread.sleep(400);
        assertThat(codeOf(() -> client.countAsync("c").get())).isEqualTo(Status.Code.OK);
    }

    @Test
    void latencyDelaysEveryCallUntilCleared() throws Exception {
        server.setLatency(Duration.ofMillis(200));
        long start = System.nanoTime();
        get(client.countAsync("c"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        server.clearFaults();
        start = System.nanoTime();
        get(client.countAsync("c"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
    }

    @Test
    void payloadSelectorsIncludeAndExcludePathsLikeQdrant() throws Exception {
        get(client.upsertAsync("c", List.of(point(1))));
        RetrievedPoint included = get(client.retrieveAsync("c", List.of(id(1)),
                WithPayloadSelectorFactory.include(List.of("keep", "nested.a")), NO_VECTORS, null)).get(0);
        assertThat(included.getPayloadMap()).containsOnlyKeys("keep", "nested");
        assertThat(included.getPayloadMap().get("nested").getStructValue().getFieldsMap()).containsOnlyKeys("a");
        RetrievedPoint excluded = get(client.retrieveAsync("c", List.of(id(1)),
                WithPayloadSelectorFactory.exclude(List.of("secret", "nested.b")), NO_VECTORS, null)).get(0);
        assertThat(excluded.getPayloadMap()).containsOnlyKeys("keep", "nested");
        assertThat(excluded.getPayloadMap().get("nested").getStructValue().getFieldsMap()).containsOnlyKeys("a");
    }

    @Test
    void rejectsInvalidArguments() {
        assertThatThrownBy(() -> LocalQdrantServer.start(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.failNextCalls(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.setLatency(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
