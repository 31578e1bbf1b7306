package io.shelfstream.connectors.qdrant.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.PointsGrpc;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.qdrant.PayloadIndexType;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.QdrantSink;
import io.shelfstream.connectors.testutils.FakeCommitRequest;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.connectors.testutils.RecordingPause;
import io.shelfstream.connectors.testutils.TestNames;

/** The gateway, collection setup and committer over real gRPC, against the local Qdrant-compatible server. */
class GrpcQdrantGatewayTest {

    private static LocalQdrantServer server;
    private static QdrantClient client;

    private final SinkMetrics metrics = new SinkMetrics(new UnregisteredMetricsGroup());

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

    @AfterEach
    void clearFaults() {
        server.clearFaults();
    }

    private static SinkSettings settings(String collection, Duration timeout) {
        return QdrantSink.builder().setEndpoint(QdrantEndpoint.of(server.host(), server.port())).setVectorSize(3)
                .setRequestTimeout(timeout).setMaxRetries(3)
                .addCollection(collection, Map.of("genres", PayloadIndexType.KEYWORD, "level", PayloadIndexType.INTEGER))
                .build().settings();
    }

    private Retrier retrier(SinkSettings settings) {
        return new Retrier(settings.retryPolicy(), metrics, new RecordingPause(), () -> 0);
    }

    @Test
    void statusesOfQdrantReachTheCallerUnchanged() throws Exception {
        SinkSettings settings = settings(TestNames.fresh("gw"), Duration.ofSeconds(5));
        try (GrpcQdrantGateway gateway = GrpcQdrantGateway.connect(settings.endpoint(), settings.requestTimeout())) {
            assertThat(gateway.collectionExists("gw_missing")).isFalse();
            assertThatThrownBy(() -> gateway.collectionInfo("gw_missing"))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
            server.failNextCalls(1, Status.Code.RESOURCE_EXHAUSTED);
            assertThatThrownBy(() -> gateway.collectionExists("gw_missing"))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        }
    }

    @Test
    void aReplySlowerThanTheRequestTimeoutIsDeadlineExceeded() throws Exception {
        SinkSettings settings = settings(TestNames.fresh("gw"), Duration.ofMillis(200));
        try (GrpcQdrantGateway gateway = GrpcQdrantGateway.connect(settings.endpoint(), settings.requestTimeout())) {
            server.setLatency(Duration.ofMillis(600));
            long start = System.nanoTime();
            assertThatThrownBy(() -> gateway.collectionExists("x"))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(550));
        }
    }

    @Test
    void anInterruptedCallThrowsInterruptedException() throws Exception {
        SinkSettings settings = settings(TestNames.fresh("gw"), Duration.ofSeconds(5));
        try (GrpcQdrantGateway gateway = GrpcQdrantGateway.connect(settings.endpoint(), settings.requestTimeout())) {
            server.setLatency(Duration.ofMillis(500));
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> gateway.collectionExists("x")).isInstanceOf(InterruptedException.class);
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void setupCreatesTheCollectionOnceAndConcurrentSetupsAgree() throws Exception {
        String collection = TestNames.fresh("gw_setup");
        SinkSettings settings = settings(collection, Duration.ofSeconds(5));
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            threads.add(new Thread(() -> {
                try (GrpcQdrantGateway gateway = GrpcQdrantGateway.connect(settings.endpoint(),
                        settings.requestTimeout())) {
                    CollectionSetup.ensure(settings, gateway, retrier(settings));
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
        var info = client.getCollectionInfoAsync(collection).get();
        VectorParams vector = info.getConfig().getParams().getVectorsConfig().getParamsMap().getMapMap()
                .get(QdrantSink.DEFAULT_VECTOR_NAME);
        assertThat(vector.getSize()).isEqualTo(3);
        assertThat(vector.getDistance()).isEqualTo(Distance.Cosine);
        assertThat(info.getPayloadSchemaMap()).containsOnlyKeys("genres", "level");
        assertThat(info.getPayloadSchemaMap().get("level").getDataType()).isEqualTo(PayloadSchemaType.Integer);
    }

    @Test
    void setupRefusesAnExistingCollectionOfAnotherSizeAndLeavesItAlone() throws Exception {
        String collection = TestNames.fresh("gw_other");
        client.createCollectionAsync(collection, Map.of(QdrantSink.DEFAULT_VECTOR_NAME,
                VectorParams.newBuilder().setSize(8).setDistance(Distance.Cosine).build())).get();
        SinkSettings settings = settings(collection, Duration.ofSeconds(5));
        try (GrpcQdrantGateway gateway = GrpcQdrantGateway.connect(settings.endpoint(), settings.requestTimeout())) {
            assertThatThrownBy(() -> CollectionSetup.ensure(settings, gateway, retrier(settings)))
                    .hasMessageContaining("8 dimensions").hasMessageContaining("writes 3");
        }
        assertThat(client.getCollectionInfoAsync(collection).get().getConfig().getParams().getVectorsConfig()
                .getParamsMap().getMapMap().get(QdrantSink.DEFAULT_VECTOR_NAME).getSize()).isEqualTo(8);
    }

    @Test
    void setupThroughAnAliasPreparesItsTargetAndWritesLandThere() throws Exception {
        String target = TestNames.fresh("gw_alias_target");
        client.createCollectionAsync(target, Map.of(QdrantSink.DEFAULT_VECTOR_NAME,
                VectorParams.newBuilder().setSize(3).setDistance(Distance.Cosine).build())).get();
        String alias = TestNames.fresh("gw_alias");
        client.createAliasAsync(alias, target).get();
        SinkSettings settings = settings(alias, Duration.ofSeconds(5));
        UUID a = new UUID(2, 1);
        try (GrpcQdrantGateway gateway = GrpcQdrantGateway.connect(settings.endpoint(), settings.requestTimeout());
                QdrantCommitter committer = new QdrantCommitter(settings,
                        GrpcQdrantGateway.connect(settings.endpoint(), settings.requestTimeout()), retrier(settings),
                        metrics)) {
            CollectionSetup.ensure(settings, gateway, retrier(settings));
            commit(committer, List.of(QdrantCommittable.upserts(alias, List.of(
                    PointWrite.upsert(alias, a, new float[] {1, 0, 0}, "{\"v\":1}")))));
        }
        assertThat(client.listCollectionsAsync().get()).contains(target).doesNotContain(alias);
        assertThat(client.listCollectionAliasesAsync(target).get()).containsExactly(alias);
        assertThat(client.getCollectionInfoAsync(target).get().getPayloadSchemaMap())
                .containsOnlyKeys("genres", "level");
        assertThat(QdrantPoints.scrollAll(client, target)).containsOnlyKeys(a.toString());
    }

    @Test
    void setupTreatsAnAliasCreatedDuringItsCreateAsExisting() throws Exception {
        String target = TestNames.fresh("gw_race_target");
        client.createCollectionAsync(target, Map.of(QdrantSink.DEFAULT_VECTOR_NAME,
                VectorParams.newBuilder().setSize(3).setDistance(Distance.Cosine).build())).get();
        String alias = TestNames.fresh("gw_race");
        SinkSettings settings = settings(alias, Duration.ofSeconds(5));
        // The alias appears between the sink's existence check and its create request.
        QdrantGateway racing = new ForwardingGateway(GrpcQdrantGateway.connect(settings.endpoint(),
                settings.requestTimeout())) {
            @Override
            public void createCollection(String collection, String vectorName, int vectorSize)
                    throws InterruptedException {
                try {
                    client.createAliasAsync(alias, target).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e);
                }
                super.createCollection(collection, vectorName, vectorSize);
            }
        };
        try (racing) {
            CollectionSetup.ensure(settings, racing, retrier(settings));
        }
        assertThat(client.listCollectionsAsync().get()).doesNotContain(alias);
        assertThat(client.getCollectionInfoAsync(target).get().getPayloadSchemaMap())
                .containsOnlyKeys("genres", "level");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCommitterRetriesLostRepliesAndReApplyingChangesNothing() throws Exception {
        String collection = TestNames.fresh("gw_commit");
        SinkSettings settings = settings(collection, Duration.ofSeconds(5));
        UUID a = new UUID(1, 1);
        UUID b = new UUID(1, 2);
        List<QdrantCommittable> checkpoint1 = List.of(QdrantCommittable.upserts(collection, List.of(
                PointWrite.upsert(collection, a, new float[] {1, 0, 0}, "{\"v\":1,\"genres\":[\"x\"]}"),
                PointWrite.upsert(collection, b, new float[] {0, 1, 0}, "{\"v\":1}"))));
        List<QdrantCommittable> checkpoint2 = List.of(
                QdrantCommittable.upserts(collection, List.of(
                        PointWrite.upsert(collection, a, new float[] {0, 0, 1}, "{\"v\":2}"))),
                QdrantCommittable.deletes(collection, List.of(PointWrite.delete(collection, b))));
        try (QdrantCommitter committer = new QdrantCommitter(settings,
                GrpcQdrantGateway.connect(settings.endpoint(), settings.requestTimeout()), retrier(settings),
                metrics)) {
            server.failNextCallsAfterApplying(1, PointsGrpc.getUpsertMethod().getFullMethodName());
            commit(committer, checkpoint1);
            commit(committer, checkpoint2);
            Map<String, RetrievedPoint> once = QdrantPoints.scrollAll(client, collection);

            commit(committer, checkpoint1);
            commit(committer, checkpoint2);
            commit(committer, checkpoint2);

            assertThat(QdrantPoints.scrollAll(client, collection)).isEqualTo(once).containsOnlyKeys(a.toString());
            assertThat(metrics.retries()).isEqualTo(1);
        }
    }

    @SuppressWarnings("unchecked")
    private static void commit(QdrantCommitter committer, List<QdrantCommittable> committables) throws Exception {
        List<FakeCommitRequest<QdrantCommittable>> requests = new ArrayList<>();
        committables.forEach(c -> requests.add(new FakeCommitRequest<>(c)));
        committer.commit((Collection<CommitRequest<QdrantCommittable>>) (Collection<?>) requests);
        assertThat(requests).allSatisfy(r -> assertThat(r.isCommitted()).isTrue());
    }
}
