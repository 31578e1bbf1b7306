package io.shelfstream.connectors.local.qdrant;

import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.isEmpty;
import static io.qdrant.client.ConditionFactory.isNull;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.list;
import static io.qdrant.client.ValueFactory.nullValue;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorFactory.vector;
import static io.qdrant.client.VectorsFactory.namedVectors;
import static io.qdrant.client.VectorsFactory.vectors;
import static io.qdrant.client.WithPayloadSelectorFactory.enable;
import static io.qdrant.client.WithPayloadSelectorFactory.exclude;
import static io.qdrant.client.WithPayloadSelectorFactory.include;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionStatus;
import io.qdrant.client.grpc.Collections.CreateAlias;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteAlias;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.PointsUpdateOperation;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RecommendPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.WithVectorsSelector;

/**
 * The Qdrant behaviour this project relies on, checked through the official Java client.
 *
 * <p>Runs against {@link LocalQdrantServer}, or against a real Qdrant when {@code QDRANT_URL} is set
 * (e.g. {@code http://localhost:6334}; {@code https} enables TLS; {@code QDRANT_API_KEY} is sent if set).
 * Each test creates collections with random names and deletes them afterwards.
 */
class QdrantContractITCase {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantContractITCase.class);

    private static final WithVectorsSelector NO_VECTORS = WithVectorsSelectorFactory.enable(false);
    private static final WithVectorsSelector ALL_VECTORS = WithVectorsSelectorFactory.enable(true);

    private static LocalQdrantServer local;
    private static QdrantClient client;

    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void connect() {
        String url = System.getenv("QDRANT_URL");
        if (url == null || url.isBlank()) {
            local = LocalQdrantServer.start();
            client = new QdrantClient(QdrantGrpcClient.newBuilder(local.host(), local.port(), false).build());
            LOG.info("Contract tests run against LocalQdrantServer on port {}", local.port());
            return;
        }
        URI uri = URI.create(url.trim());
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : 6334;
        QdrantGrpcClient.Builder builder = QdrantGrpcClient.newBuilder(uri.getHost(), port, tls);
        String apiKey = System.getenv("QDRANT_API_KEY");
        if (apiKey != null && !apiKey.isBlank()) {
            builder.withApiKey(apiKey);
        }
        client = new QdrantClient(builder.build());
        LOG.info("Contract tests run against the Qdrant at QDRANT_URL {}:{} (tls={})", uri.getHost(), port, tls);
    }

    @AfterAll
    static void disconnect() {
        if (client != null) {
            client.close();
        }
        if (local != null) {
            local.close();
        }
    }

    @AfterEach
    void deleteCreatedCollections() throws Exception {
        for (String name : created) {
            // The client's deleteCollectionAsync fails on `result: false`; cleanup must not.
            client.grpcClient().collections()
                    .delete(DeleteCollection.newBuilder().setCollectionName(name).build())
                    .get(30, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ helpers

    private String freshName() {
        String name = "contract_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        created.add(name);
        return name;
    }

    private String namedCollection(int size, Distance distance) throws Exception {
        String name = freshName();
        get(client.createCollectionAsync(name,
                Map.of("dense", VectorParams.newBuilder().setSize(size).setDistance(distance).build())));
        return name;
    }

    private String unnamedCollection(int size, Distance distance) throws Exception {
        String name = freshName();
        get(client.createCollectionAsync(name, VectorParams.newBuilder().setSize(size).setDistance(distance).build()));
        return name;
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static StatusRuntimeException failure(Future<?> future) throws Exception {
        try {
            Object result = future.get(30, TimeUnit.SECONDS);
            return fail("expected a gRPC error, got " + result);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
            return (StatusRuntimeException) e.getCause();
        }
    }

    private static void assertFails(Future<?> future, Status.Code code, String messagePart) throws Exception {
        StatusRuntimeException e = failure(future);
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
        assertThat(e.getStatus().getDescription()).contains(messagePart);
    }

    private static PointStruct namedPoint(long id, float[] dense, Map<String, Value> payload) {
        return PointStruct.newBuilder().setId(id(id))
                .setVectors(namedVectors(Map.of("dense", vector(dense))))
                .putAllPayload(payload)
                .build();
    }

    private static PointStruct unnamedPoint(PointId id, float[] v, Map<String, Value> payload) {
        return PointStruct.newBuilder().setId(id).setVectors(vectors(v)).putAllPayload(payload).build();
    }

    private static List<Float> floats(float... values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float f : values) {
            out.add(f);
        }
        return out;
    }

    private static float cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return (float) (dot / Math.sqrt(na * nb));
    }

    private static long num(ScoredPoint p) {
        return p.getId().getNum();
    }

    /** Five books with the payload fields the project filters on. */
    private String bookCollection() throws Exception {
        String name = namedCollection(4, Distance.Cosine);
        List<PointStruct> books = List.of(
                namedPoint(1, new float[] {1, 0, 0, 0}, Map.of("genres", list(List.of(value("fantasy"), value("adventure"))),
                        "reading_level", value(3), "available", value(true),
                        "author", value(Map.of("name", value("Tolkien"))), "notes", nullValue())),
                namedPoint(2, new float[] {0.9f, 0.1f, 0, 0}, Map.of("genres", list(List.of(value("fantasy"))),
                        "reading_level", value(5), "available", value(false),
                        "author", value(Map.of("name", value("Le Guin"))))),
                namedPoint(3, new float[] {0, 1, 0, 0}, Map.of("genres", list(List.of(value("science"))),
                        "reading_level", value(7), "available", value(true), "tags", list(List.of()))),
                namedPoint(4, new float[] {0, 0, 1, 0}, Map.of("genres", list(List.of(value("history"))),
                        "reading_level", value(2.5))),
                namedPoint(5, new float[] {0, 0, 0, 1}, Map.of()));
        UpdateResult result = get(client.upsertAsync(name, books));
        assertThat(result.getStatus()).isEqualTo(UpdateStatus.Completed);
        return name;
    }

    private long count(String collection, Filter filter) throws Exception {
        return get(client.countAsync(collection, filter, true));
    }

    private static Filter must(io.qdrant.client.grpc.Common.Condition... conditions) {
        return Filter.newBuilder().addAllMust(List.of(conditions)).build();
    }

    // ------------------------------------------------------------------ service

    @Test
    void healthCheckReportsQdrantTitleAndVersion() throws Exception {
        var reply = get(client.healthCheckAsync());
        assertThat(reply.getTitle()).contains("qdrant");
        assertThat(reply.getVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    // ------------------------------------------------------------------ collections

    @Test
    void createdNamedVectorCollectionIsGreenEmptyAndListed() throws Exception {
        String name = namedCollection(384, Distance.Cosine);
        CollectionInfo info = get(client.getCollectionInfoAsync(name));
        assertThat(info.getStatus()).isEqualTo(CollectionStatus.Green);
        assertThat(info.getPointsCount()).isZero();
        VectorParams dense = info.getConfig().getParams().getVectorsConfig().getParamsMap().getMapMap().get("dense");
        assertThat(dense.getSize()).isEqualTo(384);
        assertThat(dense.getDistance()).isEqualTo(Distance.Cosine);
        assertThat(get(client.listCollectionsAsync())).contains(name);
        assertThat(get(client.collectionExistsAsync(name))).isTrue();
    }

    @Test
    void createdUnnamedVectorCollectionReportsSizeAndDistance() throws Exception {
        for (Distance distance : List.of(Distance.Cosine, Distance.Dot, Distance.Euclid)) {
            String name = unnamedCollection(8, distance);
            VectorParams params = get(client.getCollectionInfoAsync(name)).getConfig().getParams()
                    .getVectorsConfig().getParams();
            assertThat(params.getSize()).isEqualTo(8);
            assertThat(params.getDistance()).isEqualTo(distance);
        }
    }

    @Test
    void creatingAnExistingCollectionFailsWithAlreadyExists() throws Exception {
        String name = namedCollection(4, Distance.Cosine);
        assertFails(client.createCollectionAsync(name,
                        VectorParams.newBuilder().setSize(4).setDistance(Distance.Dot).build()),
                Status.Code.ALREADY_EXISTS, "Collection `" + name + "` already exists!");
    }

    @Test
    void missingCollectionsAreNotFoundAndDeletingThemReportsFalse() throws Exception {
        String missing = "contract_missing_" + UUID.randomUUID().toString().substring(0, 8);
        assertFails(client.getCollectionInfoAsync(missing), Status.Code.NOT_FOUND,
                "Collection `" + missing + "` doesn't exist!");
        assertThat(get(client.collectionExistsAsync(missing))).isFalse();
        assertThat(get(client.grpcClient().collections()
                .delete(DeleteCollection.newBuilder().setCollectionName(missing).build())).getResult()).isFalse();
    }

    @Test
    void deletedCollectionDisappearsWithItsAliases() throws Exception {
        String name = freshName();
        get(client.createCollectionAsync(name, VectorParams.newBuilder().setSize(2).setDistance(Distance.Dot).build()));
        String alias = name + "_alias";
        get(client.createAliasAsync(alias, name));
        assertThat(get(client.deleteCollectionAsync(name)).getResult()).isTrue();
        assertThat(get(client.collectionExistsAsync(name))).isFalse();
        assertThat(get(client.collectionExistsAsync(alias))).isFalse();
        assertThat(get(client.listAliasesAsync())).extracting(AliasDescription::getAliasName).doesNotContain(alias);
    }

    @Test
    void invalidCollectionDefinitionsAreRejected() throws Exception {
        assertFails(client.createCollectionAsync("contract/bad",
                        VectorParams.newBuilder().setSize(4).setDistance(Distance.Dot).build()),
                Status.Code.INVALID_ARGUMENT, "collection name cannot contain \"/\" char");
        String name = freshName();
        assertFails(client.createCollectionAsync(name,
                        VectorParams.newBuilder().setSize(0).setDistance(Distance.Dot).build()),
                Status.Code.INVALID_ARGUMENT, "must be from 1 to 65536");
        assertFails(client.createCollectionAsync(CreateCollection.newBuilder().setCollectionName(name)
                        .setVectorsConfig(VectorsConfig.newBuilder().setParams(
                                VectorParams.newBuilder().setSize(4).setDistance(Distance.UnknownDistance)))
                        .build()),
                Status.Code.INVALID_ARGUMENT, "Malformed distance parameter");
        assertThat(get(client.collectionExistsAsync(name))).isFalse();
    }

    // ------------------------------------------------------------------ aliases

    @Test
    void aliasesResolveWhereverACollectionNameIsAccepted() throws Exception {
        String books = bookCollection();
        String alias = books + "_books";
        get(client.createAliasAsync(alias, books));

        assertThat(get(client.collectionExistsAsync(alias))).isTrue();
        assertThat(get(client.getCollectionInfoAsync(alias)).getPointsCount()).isEqualTo(5);
        assertThat(get(client.countAsync(alias))).isEqualTo(5);
        get(client.upsertAsync(alias, List.of(namedPoint(6, new float[] {1, 1, 0, 0}, Map.of()))));
        assertThat(get(client.countAsync(books))).isEqualTo(6);
        assertThat(get(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(alias).setLimit(100).build()))
                .getResultCount()).isEqualTo(6);
        assertThat(get(client.searchAsync(SearchPoints.newBuilder().setCollectionName(alias).setVectorName("dense")
                .addAllVector(floats(1, 0, 0, 0)).setLimit(1).build()))).extracting(QdrantContractITCase::num)
                .containsExactly(1L);
        assertThat(get(client.retrieveAsync(alias, List.of(id(6)), false, false, null))).hasSize(1);
        assertThat(get(client.listCollectionAliasesAsync(books))).containsExactly(alias);
        assertThat(get(client.listAliasesAsync())).contains(
                AliasDescription.newBuilder().setAliasName(alias).setCollectionName(books).build());
    }

    @Test
    void aliasSwitchRenameAndDeleteApplyInOrder() throws Exception {
        String v1 = namedCollection(4, Distance.Cosine);
        String v2 = namedCollection(4, Distance.Cosine);
        get(client.upsertAsync(v2, List.of(namedPoint(1, new float[] {1, 0, 0, 0}, Map.of()))));
        String alias = v1 + "_live";
        get(client.createAliasAsync(alias, v1));
        assertThat(get(client.countAsync(alias))).isZero();

        get(client.updateAliasesAsync(List.of(
                AliasOperations.newBuilder().setDeleteAlias(DeleteAlias.newBuilder().setAliasName(alias)).build(),
                AliasOperations.newBuilder().setCreateAlias(
                        CreateAlias.newBuilder().setAliasName(alias).setCollectionName(v2)).build())));
        assertThat(get(client.countAsync(alias))).isEqualTo(1);
        assertThat(get(client.listCollectionAliasesAsync(v1))).isEmpty();

        String renamed = alias + "_renamed";
        get(client.renameAliasAsync(alias, renamed));
        assertThat(get(client.listCollectionAliasesAsync(v2))).containsExactly(renamed);
        assertFails(client.countAsync(alias), Status.Code.NOT_FOUND, "Collection `" + alias + "` doesn't exist!");

        get(client.deleteAliasAsync(renamed));
        assertThat(get(client.listCollectionAliasesAsync(v2))).isEmpty();
        // deleting an alias that does not exist is not an error
        assertThat(get(client.deleteAliasAsync(renamed)).getResult()).isTrue();
    }

    @Test
    void aliasErrorsMatchQdrant() throws Exception {
        String books = namedCollection(4, Distance.Cosine);
        String missing = books + "_missing";
        assertFails(client.createAliasAsync(books + "_a", missing), Status.Code.NOT_FOUND,
                "Collection `" + missing + "` doesn't exist!");
        assertFails(client.renameAliasAsync(books + "_nope", books + "_b"), Status.Code.NOT_FOUND,
                books + "_nope");
        String other = namedCollection(4, Distance.Cosine);
        assertFails(client.createAliasAsync(other, books), Status.Code.ALREADY_EXISTS,
                "Collection `" + other + "` already exists!");

        String alias = books + "_taken";
        get(client.createAliasAsync(alias, books));
        created.add(alias);
        assertFails(client.createCollectionAsync(alias, VectorParams.newBuilder().setSize(4)
                        .setDistance(Distance.Cosine).build()),
                Status.Code.INVALID_ARGUMENT, "Alias with the same name already exists");
    }

    @Test
    void failingAliasActionKeepsTheActionsBeforeIt() throws Exception {
        String books = namedCollection(4, Distance.Cosine);
        String first = books + "_first";
        String missing = books + "_missing";
        assertFails(client.updateAliasesAsync(List.of(
                AliasOperations.newBuilder().setCreateAlias(
                        CreateAlias.newBuilder().setAliasName(first).setCollectionName(books)).build(),
                AliasOperations.newBuilder().setCreateAlias(
                        CreateAlias.newBuilder().setAliasName(books + "_second").setCollectionName(missing)).build())),
                Status.Code.NOT_FOUND, "Collection `" + missing + "` doesn't exist!");
        assertThat(get(client.listCollectionAliasesAsync(books))).containsExactly(first);
    }

    // ------------------------------------------------------------------ upsert

    @Test
    void upsertWithWaitIsCompletedAndReplacesWholePoints() throws Exception {
        String name = namedCollection(4, Distance.Dot);
        UpdateResult first = get(client.upsertAsync(name,
                List.of(namedPoint(1, new float[] {1, 2, 3, 4}, Map.of("a", value("x"), "b", value(1))))));
        assertThat(first.getStatus()).isEqualTo(UpdateStatus.Completed);
        get(client.upsertAsync(name, List.of(namedPoint(1, new float[] {4, 3, 2, 1}, Map.of("c", value(true))))));

        RetrievedPoint p = get(client.retrieveAsync(name, List.of(id(1)), true, true, null)).get(0);
        assertThat(p.getPayloadMap()).containsOnlyKeys("c");
        assertThat(p.getVectors().getVectors().getVectorsMap().get("dense").getDense().getDataList())
                .containsExactly(4f, 3f, 2f, 1f);
        assertThat(get(client.getCollectionInfoAsync(name)).getPointsCount()).isEqualTo(1);
    }

    @Test
    void upsertWithoutWaitIsAcknowledgedAndBecomesVisible() throws Exception {
        String name = namedCollection(4, Distance.Dot);
        UpdateResult result = get(client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(name).setWait(false)
                .addPoints(namedPoint(1, new float[] {1, 0, 0, 0}, Map.of())).build()));
        assertThat(result.getStatus()).isEqualTo(UpdateStatus.Acknowledged);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (get(client.countAsync(name)) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(get(client.countAsync(name))).isEqualTo(1);
    }

    @Test
    void errorsRaisedWhileApplyingAreOnlyReportedWhenWaiting() throws Exception {
        String name = namedCollection(4, Distance.Cosine);
        PointStruct unknownVector = PointStruct.newBuilder().setId(id(7))
                .setVectors(namedVectors(Map.of("other", vector(1f, 2f, 3f, 4f)))).build();
        UpdateResult accepted = get(client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(name)
                .setWait(false).addPoints(unknownVector).build()));
        assertThat(accepted.getStatus()).isEqualTo(UpdateStatus.Acknowledged);
        UpdateResult missingPoint = get(client.setPayloadAsync(name, Map.of("x", value(1)), List.of(id(99)), false,
                null, null));
        assertThat(missingPoint.getStatus()).isEqualTo(UpdateStatus.Acknowledged);
        // updates of a collection are applied in order, so once this one completes the others have run
        get(client.upsertAsync(name, List.of(namedPoint(1, new float[] {1, 0, 0, 0}, Map.of()))));
        assertThat(get(client.countAsync(name))).isEqualTo(1);
    }

    @Test
    void pointIdsMustBeUnsignedIntegersOrUuids() throws Exception {
        String name = unnamedCollection(2, Distance.Dot);
        UUID uuid = UUID.randomUUID();
        PointId upperCase = PointId.newBuilder().setUuid(uuid.toString().toUpperCase(Locale.ROOT)).build();
        get(client.upsertAsync(name, List.of(
                unnamedPoint(upperCase, new float[] {1, 1}, Map.of()),
                unnamedPoint(id(-1L), new float[] {1, 1}, Map.of()))));
        List<RetrievedPoint> points = get(client.retrieveAsync(name, List.of(id(uuid), id(-1L)), false, false, null));
        assertThat(points).extracting(RetrievedPoint::getId)
                .containsExactly(PointId.newBuilder().setUuid(uuid.toString()).build(), id(-1L));

        PointId notUuid = PointId.newBuilder().setUuid("book-42").build();
        assertFails(client.upsertAsync(name, List.of(unnamedPoint(notUuid, new float[] {1, 1}, Map.of()))),
                Status.Code.INVALID_ARGUMENT, "Unable to parse UUID: book-42");
        assertFails(client.retrieveAsync(name, List.of(notUuid), false, false, null),
                Status.Code.INVALID_ARGUMENT, "Unable to parse UUID: book-42");
        assertThat(get(client.countAsync(name))).isEqualTo(2);
    }

    @Test
    void vectorDimensionMismatchIsInvalidArgumentAndStoresNothing() throws Exception {
        String unnamed = unnamedCollection(4, Distance.Cosine);
        assertFails(client.upsertAsync(unnamed, List.of(unnamedPoint(id(1), new float[] {1, 2, 3}, Map.of()))),
                Status.Code.INVALID_ARGUMENT, "Wrong input: Vector dimension error: expected dim: 4, got 3");
        String named = namedCollection(4, Distance.Cosine);
        assertFails(client.upsertAsync(named, List.of(
                        namedPoint(1, new float[] {1, 2, 3, 4}, Map.of()),
                        namedPoint(2, new float[] {1, 2, 3, 4, 5}, Map.of()))),
                Status.Code.INVALID_ARGUMENT, "Wrong input: Vector dimension error: expected dim: 4, got 5");
        assertThat(get(client.countAsync(unnamed))).isZero();
        assertThat(get(client.countAsync(named))).isZero();
        assertFails(client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(named).setWait(false)
                        .addPoints(namedPoint(3, new float[] {1}, Map.of())).build()),
                Status.Code.INVALID_ARGUMENT, "Vector dimension error: expected dim: 4, got 1");
    }

    @Test
    void unknownVectorNameIsRejected() throws Exception {
        String name = namedCollection(4, Distance.Cosine);
        PointStruct other = PointStruct.newBuilder().setId(id(1))
                .setVectors(namedVectors(Map.of("other", vector(1f, 2f, 3f, 4f)))).build();
        StatusRuntimeException e = failure(client.upsertAsync(name, List.of(other)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("other");
        assertThat(get(client.countAsync(name))).isZero();
    }

    @Test
    void unknownCollectionIsNotFoundForEveryPointCall() throws Exception {
        String missing = "contract_missing_" + UUID.randomUUID().toString().substring(0, 8);
        String message = "Collection `" + missing + "` doesn't exist!";
        assertFails(client.upsertAsync(missing, List.of(namedPoint(1, new float[] {1}, Map.of()))),
                Status.Code.NOT_FOUND, message);
        assertFails(client.countAsync(missing), Status.Code.NOT_FOUND, message);
        assertFails(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(missing).build()),
                Status.Code.NOT_FOUND, message);
        assertFails(client.searchAsync(SearchPoints.newBuilder().setCollectionName(missing)
                .addAllVector(floats(1)).setLimit(1).build()), Status.Code.NOT_FOUND, message);
        assertFails(client.deleteAsync(missing, List.of(id(1))), Status.Code.NOT_FOUND, message);
    }

    @Test
    void cosineVectorsAreNormalisedOnInsert() throws Exception {
        String name = unnamedCollection(2, Distance.Cosine);
        get(client.upsertAsync(name, List.of(unnamedPoint(id(1), new float[] {3, 4}, Map.of()))));
        RetrievedPoint p = get(client.retrieveAsync(name, List.of(id(1)), false, true, null)).get(0);
        assertThat(p.getVectors().getVector().getDense().getDataList())
                .satisfiesExactly(x -> assertThat(x).isCloseTo(0.6f, within(1e-6f)),
                        y -> assertThat(y).isCloseTo(0.8f, within(1e-6f)));
        String dot = unnamedCollection(2, Distance.Dot);
        get(client.upsertAsync(dot, List.of(unnamedPoint(id(1), new float[] {3, 4}, Map.of()))));
        assertThat(get(client.retrieveAsync(dot, List.of(id(1)), false, true, null)).get(0).getVectors().getVector()
                .getDense().getDataList()).containsExactly(3f, 4f);
    }

    // ------------------------------------------------------------------ reads

    @Test
    void getReturnsExistingPointsInRequestOrderWithSelectedFields() throws Exception {
        String name = bookCollection();
        List<RetrievedPoint> points = get(client.retrieveAsync(name, List.of(id(3), id(99), id(1)),
                include(List.of("reading_level", "author.name")), NO_VECTORS, null));
        assertThat(points).extracting(p -> p.getId().getNum()).containsExactly(3L, 1L);
        assertThat(points.get(1).getPayloadMap()).containsOnlyKeys("reading_level", "author");
        assertThat(points.get(1).hasVectors()).isFalse();

        RetrievedPoint excluded = get(client.retrieveAsync(name, List.of(id(1)), exclude(List.of("genres", "notes")),
                ALL_VECTORS, null)).get(0);
        assertThat(excluded.getPayloadMap()).containsOnlyKeys("reading_level", "available", "author");
        assertThat(excluded.getVectors().getVectors().getVectorsMap()).containsOnlyKeys("dense");

        RetrievedPoint bare = get(client.retrieveAsync(name, List.of(id(1)), false, false, null)).get(0);
        assertThat(bare.getPayloadMap()).isEmpty();
    }

    @Test
    void countIsExactAndHonoursFilters() throws Exception {
        String name = bookCollection();
        assertThat(get(client.countAsync(name))).isEqualTo(5);
        assertThat(count(name, must(matchKeyword("genres", "fantasy")))).isEqualTo(2);
        assertThat(count(name, must(match("reading_level", 3)))).isEqualTo(1);
        assertThat(count(name, must(match("available", true)))).isEqualTo(2);
        assertThat(count(name, must(matchKeywords("genres", List.of("science", "history"))))).isEqualTo(2);
        assertThat(count(name, must(range("reading_level", Range.newBuilder().setGte(2.5).setLt(5).build()))))
                .isEqualTo(2);
        assertThat(count(name, Filter.newBuilder().addMustNot(matchKeyword("genres", "fantasy")).build()))
                .isEqualTo(3);
        assertThat(count(name, Filter.newBuilder().addShould(match("reading_level", 7))
                .addShould(matchKeyword("author.name", "Le Guin")).build())).isEqualTo(2);
        assertThat(count(name, must(hasId(List.of(id(2), id(4), id(42)))))).isEqualTo(2);
        assertThat(count(name, must(isEmpty("genres")))).isEqualTo(1);
        assertThat(count(name, must(isEmpty("tags")))).as("missing, null and [] are all empty").isEqualTo(5);
        assertThat(count(name, must(isNull("notes")))).isEqualTo(1);
        assertThat(count(name, must(match("reading_level", 2)))).as("an integer never matches 2.5").isZero();
    }

    @Test
    void scrollPagesInIdOrderWithNextPageOffset() throws Exception {
        String name = unnamedCollection(2, Distance.Dot);
        List<PointStruct> points = new ArrayList<>();
        for (long i = 25; i >= 1; i--) {
            points.add(unnamedPoint(id(i), new float[] {1, 0}, Map.of("even", value(i % 2 == 0))));
        }
        UUID uuid = UUID.fromString("00000000-0000-4000-8000-000000000001");
        points.add(unnamedPoint(id(uuid), new float[] {1, 0}, Map.of("even", value(true))));
        get(client.upsertAsync(name, points));

        List<PointId> seen = new ArrayList<>();
        PointId offset = null;
        int pages = 0;
        do {
            ScrollPoints.Builder request = ScrollPoints.newBuilder().setCollectionName(name).setLimit(10);
            if (offset != null) {
                request.setOffset(offset);
            }
            ScrollResponse page = get(client.scrollAsync(request.build()));
            page.getResultList().forEach(p -> seen.add(p.getId()));
            assertThat(page.getResult(0).getPayloadMap()).as("scroll returns payloads by default").containsKey("even");
            offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
            pages++;
        } while (offset != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(26).doesNotHaveDuplicates();
        assertThat(seen.subList(0, 25)).extracting(PointId::getNum)
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, 25).boxed().toList());
        assertThat(seen.get(25)).isEqualTo(id(uuid));

        ScrollResponse evenFromTen = get(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(name)
                .setFilter(must(match("even", true))).setOffset(id(10)).setLimit(3).build()));
        assertThat(evenFromTen.getResultList()).extracting(p -> p.getId().getNum()).containsExactly(10L, 12L, 14L);
        assertThat(evenFromTen.getNextPageOffset()).isEqualTo(id(16));
    }

    @Test
    void searchRanksByCosineWithFilterThresholdAndOffset() throws Exception {
        String name = bookCollection();
        float[] query = {1, 0.2f, 0, 0};
        List<ScoredPoint> hits = get(client.searchAsync(SearchPoints.newBuilder().setCollectionName(name)
                .setVectorName("dense").addAllVector(floats(query)).setLimit(3)
                .setWithPayload(enable(true)).build()));
        assertThat(hits).extracting(QdrantContractITCase::num).containsExactly(2L, 1L, 3L);
        assertThat(hits.get(0).getScore()).isCloseTo(cosine(query, new float[] {0.9f, 0.1f, 0, 0}), within(1e-5f));
        assertThat(hits.get(2).getScore()).isCloseTo(cosine(query, new float[] {0, 1, 0, 0}), within(1e-5f));
        assertThat(hits.get(0).getPayloadMap()).containsKey("genres");

        List<ScoredPoint> filtered = get(client.searchAsync(SearchPoints.newBuilder().setCollectionName(name)
                .setVectorName("dense").addAllVector(floats(query)).setLimit(10)
                .setFilter(must(match("available", true))).setScoreThreshold(0.5f).build()));
        assertThat(filtered).extracting(QdrantContractITCase::num).containsExactly(1L);
        assertThat(filtered.get(0).getPayloadMap()).as("search omits payload unless asked").isEmpty();

        List<ScoredPoint> second = get(client.searchAsync(SearchPoints.newBuilder().setCollectionName(name)
                .setVectorName("dense").addAllVector(floats(query)).setLimit(1).setOffset(1).build()));
        assertThat(second).extracting(QdrantContractITCase::num).containsExactly(1L);
    }

    @Test
    void searchOrdersDotDescendingAndEuclidAscending() throws Exception {
        for (Distance distance : List.of(Distance.Dot, Distance.Euclid)) {
            String name = unnamedCollection(2, distance);
            get(client.upsertAsync(name, List.of(
                    unnamedPoint(id(1), new float[] {1, 0}, Map.of()),
                    unnamedPoint(id(2), new float[] {4, 0}, Map.of()),
                    unnamedPoint(id(3), new float[] {0, 2}, Map.of()))));
            List<ScoredPoint> hits = get(client.searchAsync(SearchPoints.newBuilder().setCollectionName(name)
                    .addAllVector(floats(2, 0)).setLimit(3).build()));
            if (distance == Distance.Dot) {
                assertThat(hits).extracting(QdrantContractITCase::num).containsExactly(2L, 1L, 3L);
                assertThat(hits).extracting(ScoredPoint::getScore).containsExactly(8f, 2f, 0f);
            } else {
                assertThat(hits).extracting(QdrantContractITCase::num).containsExactly(1L, 2L, 3L);
                assertThat(hits.get(0).getScore()).isCloseTo(1f, within(1e-6f));
                assertThat(hits.get(2).getScore()).isCloseTo((float) Math.sqrt(8), within(1e-5f));
                List<ScoredPoint> near = get(client.searchAsync(SearchPoints.newBuilder().setCollectionName(name)
                        .addAllVector(floats(2, 0)).setLimit(3).setScoreThreshold(2.5f).build()));
                assertThat(near).extracting(QdrantContractITCase::num).as("Euclid thresholds are upper bounds")
                        .containsExactly(1L, 2L);
            }
        }
    }

    @Test
    void searchRejectsWrongDimensionAndUnknownVectorName() throws Exception {
        String name = namedCollection(4, Distance.Cosine);
        get(client.upsertAsync(name, List.of(namedPoint(1, new float[] {1, 0, 0, 0}, Map.of()))));
        assertFails(client.searchAsync(SearchPoints.newBuilder().setCollectionName(name).setVectorName("dense")
                        .addAllVector(floats(1, 0)).setLimit(1).build()),
                Status.Code.INVALID_ARGUMENT, "Vector dimension error: expected dim: 4, got 2");
        StatusRuntimeException unknown = failure(client.searchAsync(SearchPoints.newBuilder().setCollectionName(name)
                .setVectorName("sparse_title").addAllVector(floats(1, 0, 0, 0)).setLimit(1).build()));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(unknown.getStatus().getDescription()).contains("sparse_title");
        assertFails(client.searchAsync(SearchPoints.newBuilder().setCollectionName(name).setVectorName("dense")
                        .addAllVector(floats(1, 0, 0, 0)).setLimit(0).build()),
                Status.Code.INVALID_ARGUMENT, "limit");
    }

    @Test
    void queryNearestMatchesSearchAndExcludesAReferencedPoint() throws Exception {
        String name = bookCollection();
        List<ScoredPoint> byVector = get(client.queryAsync(QueryPoints.newBuilder().setCollectionName(name)
                .setUsing("dense").setQuery(nearest(1, 0.2f, 0, 0)).setLimit(2)
                .setWithPayload(include(List.of("reading_level"))).build()));
        assertThat(byVector).extracting(QdrantContractITCase::num).containsExactly(2L, 1L);
        assertThat(byVector.get(0).getPayloadMap()).containsOnlyKeys("reading_level");

        List<ScoredPoint> byId = get(client.queryAsync(QueryPoints.newBuilder().setCollectionName(name)
                .setUsing("dense").setQuery(nearest(id(1))).setLimit(1).build()));
        assertThat(byId).extracting(QdrantContractITCase::num).as("the referenced point is not its own neighbour")
                .containsExactly(2L);

        List<ScoredPoint> thresholded = get(client.queryAsync(QueryPoints.newBuilder().setCollectionName(name)
                .setUsing("dense").setQuery(nearest(1, 0.2f, 0, 0)).setScoreThreshold(0.9f).build()));
        assertThat(thresholded).extracting(QdrantContractITCase::num).containsExactly(2L, 1L);

        List<ScoredPoint> byIdOrder = get(client.queryAsync(QueryPoints.newBuilder().setCollectionName(name)
                .setFilter(must(match("available", true))).build()));
        assertThat(byIdOrder).extracting(QdrantContractITCase::num).containsExactly(1L, 3L);

        assertFails(client.queryAsync(QueryPoints.newBuilder().setCollectionName(name).setUsing("dense")
                        .setQuery(nearest(id(404))).build()),
                Status.Code.NOT_FOUND, "No point with id 404 found");
    }

    // ------------------------------------------------------------------ delete and payload updates

    @Test
    void deleteByIdsAndByFilter() throws Exception {
        String name = bookCollection();
        UpdateResult byIds = get(client.deleteAsync(name, List.of(id(1), id(77))));
        assertThat(byIds.getStatus()).isEqualTo(UpdateStatus.Completed);
        assertThat(get(client.countAsync(name))).isEqualTo(4);
        get(client.deleteAsync(name, must(range("reading_level", Range.newBuilder().setGte(5).build()))));
        assertThat(get(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(name).build())).getResultList())
                .extracting(p -> p.getId().getNum()).containsExactly(4L, 5L);
    }

    /**
     * What the exactly-once sink relies on: a committable is whole-point upserts or deletes by id, so re-applying
     * committables in their order after a restore leaves exactly the state the first application left.
     */
    @Test
    void reApplyingWholePointUpsertsAndDeletesInOrderChangesNothing() throws Exception {
        String name = namedCollection(4, Distance.Cosine);
        PointId a = id(UUID.fromString("6f1c3d2a-8b4e-5f7a-9c0d-2e4b6a8c0f13"));
        PointId b = id(UUID.fromString("0b5e6c1f-2d3a-5b4c-8e7f-9a0b1c2d3e4f"));
        List<UpsertPoints> upserts = List.of(
                UpsertPoints.newBuilder().setCollectionName(name).setWait(true)
                        .addPoints(PointStruct.newBuilder().setId(a)
                                .setVectors(namedVectors(Map.of("dense", vector(1, 0, 0, 0))))
                                .putAllPayload(Map.of("seq", value(1), "genres", list(List.of(value("x"))))))
                        .addPoints(PointStruct.newBuilder().setId(b)
                                .setVectors(namedVectors(Map.of("dense", vector(0, 1, 0, 0))))
                                .putAllPayload(Map.of("seq", value(2))))
                        .build(),
                UpsertPoints.newBuilder().setCollectionName(name).setWait(true)
                        .addPoints(PointStruct.newBuilder().setId(a)
                                .setVectors(namedVectors(Map.of("dense", vector(0, 0, 1, 0))))
                                .putAllPayload(Map.of("seq", value(4))))
                        .build());
        get(client.upsertAsync(upserts.get(0)));
        assertThat(get(client.deleteAsync(name, List.of(b))).getStatus()).isEqualTo(UpdateStatus.Completed);
        get(client.upsertAsync(upserts.get(1)));
        List<RetrievedPoint> once = get(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(name)
                .setWithPayload(enable(true)).setWithVectors(ALL_VECTORS).build())).getResultList();

        // the last two committables again (a restore of the latest checkpoint), then all three
        assertThat(get(client.deleteAsync(name, List.of(b))).getStatus()).as("deleting a missing point")
                .isEqualTo(UpdateStatus.Completed);
        get(client.upsertAsync(upserts.get(1)));
        get(client.upsertAsync(upserts.get(0)));
        get(client.deleteAsync(name, List.of(b)));
        get(client.upsertAsync(upserts.get(1)));

        List<RetrievedPoint> again = get(client.scrollAsync(ScrollPoints.newBuilder().setCollectionName(name)
                .setWithPayload(enable(true)).setWithVectors(ALL_VECTORS).build())).getResultList();
        assertThat(again).isEqualTo(once);
        assertThat(again).singleElement().satisfies(p -> {
            assertThat(p.getId()).isEqualTo(a);
            assertThat(p.getPayloadMap()).containsOnlyKeys("seq").containsEntry("seq", value(4));
        });
    }

    @Test
    void creatingAPayloadIndexAgainWithTheSameTypeKeepsOneIndex() throws Exception {
        String name = bookCollection();
        for (int i = 0; i < 2; i++) {
            UpdateResult result = get(client.createPayloadIndexAsync(name, "genres", PayloadSchemaType.Keyword, null,
                    true, null, null));
            assertThat(result.getStatus()).isEqualTo(UpdateStatus.Completed);
        }
        CollectionInfo info = get(client.getCollectionInfoAsync(name));
        assertThat(info.getPayloadSchemaMap()).containsOnlyKeys("genres");
        assertThat(info.getPayloadSchemaMap().get("genres").getDataType()).isEqualTo(PayloadSchemaType.Keyword);
    }

    @Test
    void setPayloadMergesOverwriteReplacesAndMissingPointsAreNotFound() throws Exception {
        String name = bookCollection();
        get(client.setPayloadAsync(name, Map.of("reading_level", value(4), "series", value("Earthsea")),
                List.of(id(2)), true, null, null));
        Map<String, Value> merged = get(client.retrieveAsync(name, List.of(id(2)), true, false, null)).get(0)
                .getPayloadMap();
        assertThat(merged).containsEntry("reading_level", value(4)).containsEntry("series", value("Earthsea"))
                .containsKey("genres");

        get(client.overwritePayloadAsync(name, Map.of("only", value(1)), List.of(id(2)), true, null, null));
        assertThat(get(client.retrieveAsync(name, List.of(id(2)), true, false, null)).get(0).getPayloadMap())
                .containsOnlyKeys("only");

        get(client.setPayloadAsync(name, Map.of("flag", value(true)), must(match("available", true)), true, null,
                null));
        assertThat(count(name, must(match("flag", true)))).isEqualTo(2);

        assertFails(client.setPayloadAsync(name, Map.of("x", value(1)), List.of(id(99)), true, null, null),
                Status.Code.NOT_FOUND, "No point with id 99 found");
    }

    @Test
    void batchUpdateAppliesOperationsInOrder() throws Exception {
        String name = namedCollection(4, Distance.Cosine);
        PointsSelector point1 = PointsSelector.newBuilder()
                .setPoints(PointsIdsList.newBuilder().addIds(id(1))).build();
        List<UpdateResult> results = get(client.batchUpdateAsync(name, List.of(
                PointsUpdateOperation.newBuilder().setUpsert(PointsUpdateOperation.PointStructList.newBuilder()
                        .addPoints(namedPoint(1, new float[] {1, 0, 0, 0}, Map.of()))
                        .addPoints(namedPoint(2, new float[] {0, 1, 0, 0}, Map.of()))).build(),
                PointsUpdateOperation.newBuilder().setDeletePoints(
                        PointsUpdateOperation.DeletePoints.newBuilder().setPoints(point1)).build(),
                PointsUpdateOperation.newBuilder().setUpsert(PointsUpdateOperation.PointStructList.newBuilder()
                        .addPoints(namedPoint(1, new float[] {0, 0, 1, 0}, Map.of("v", value(2))))).build())));
        assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(UpdateStatus.Completed));
        RetrievedPoint p1 = get(client.retrieveAsync(name, List.of(id(1)), true, false, null)).get(0);
        assertThat(p1.getPayloadMap()).containsEntry("v", value(2));
        assertThat(get(client.countAsync(name))).isEqualTo(2);
    }

    // ------------------------------------------------------------------ payload indexes

    @Test
    void payloadIndexesAreReportedInCollectionInfo() throws Exception {
        String name = bookCollection();
        get(client.createPayloadIndexAsync(name, "genres", PayloadSchemaType.Keyword, null, true, null, null));
        get(client.createPayloadIndexAsync(name, "reading_level", PayloadSchemaType.Integer, null, true, null, null));
        get(client.createPayloadIndexAsync(name, "author.name", PayloadSchemaType.Keyword, null, true, null, null));
        CollectionInfo info = get(client.getCollectionInfoAsync(name));
        assertThat(info.getPayloadSchemaMap()).containsOnlyKeys("genres", "reading_level", "author.name");
        assertThat(info.getPayloadSchemaMap().get("genres").getDataType()).isEqualTo(PayloadSchemaType.Keyword);
        assertThat(info.getPayloadSchemaMap().get("genres").getPoints()).isEqualTo(4);
        assertThat(info.getPayloadSchemaMap().get("reading_level").getDataType()).isEqualTo(PayloadSchemaType.Integer);
        assertThat(info.getPayloadSchemaMap().get("author.name").getPoints()).isEqualTo(2);
        assertThat(count(name, must(matchKeyword("genres", "fantasy")))).as("filters still work on indexed fields")
                .isEqualTo(2);

        get(client.deletePayloadIndexAsync(name, "reading_level", true, null, null));
        assertThat(get(client.getCollectionInfoAsync(name)).getPayloadSchemaMap())
                .containsOnlyKeys("genres", "author.name");
    }

    // ------------------------------------------------------------------ local server only

    @Test
    void unsupportedRequestsFailLoudlyOnTheLocalServer() throws Exception {
        assumeTrue(local != null, "only LocalQdrantServer leaves these unimplemented");
        String name = bookCollection();
        assertFails(client.recommendAsync(RecommendPoints.newBuilder().setCollectionName(name).addPositive(id(1))
                .setLimit(3).build()), Status.Code.UNIMPLEMENTED, "Recommend");
        assertFails(client.queryAsync(QueryPoints.newBuilder().setCollectionName(name)
                        .setQuery(io.qdrant.client.QueryFactory.fusion(io.qdrant.client.grpc.Points.Fusion.RRF))
                        .build()),
                Status.Code.UNIMPLEMENTED, "FUSION");
        assertFails(client.countAsync(name, must(io.qdrant.client.ConditionFactory.geoRadius("loc", 1, 2, 3f)), true),
                Status.Code.UNIMPLEMENTED, "geo");
    }
}
