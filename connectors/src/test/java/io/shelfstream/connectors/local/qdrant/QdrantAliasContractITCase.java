package io.shelfstream.connectors.local.qdrant;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorFactory.vector;
import static io.qdrant.client.VectorsFactory.namedVectors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.ChangeAliases;
import io.qdrant.client.grpc.Collections.CreateAlias;
import io.qdrant.client.grpc.Collections.DeleteAlias;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.RenameAlias;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.PointsUpdateOperation;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;

/**
 * Qdrant's collection aliases as this project uses them for model migrations: create, list, switch in one
 * request, delete, reads and writes through an alias, and the errors of each action.
 *
 * <p>Like {@link QdrantContractITCase}, runs against {@link LocalQdrantServer}, or against a real Qdrant when
 * {@code QDRANT_URL} is set ({@code QDRANT_API_KEY} is sent if set). Each test creates collections and aliases
 * with random names and deletes them afterwards. The expectations come from Qdrant 1.19's source
 * (lib/storage/src/content_manager/toc/collection_meta_ops.rs {@code update_aliases}, alias_mapping.rs,
 * toc/create_collection.rs, toc/mod.rs {@code resolve_name}), which the same tests confirm against a real server.
 */
class QdrantAliasContractITCase {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantAliasContractITCase.class);

    private static LocalQdrantServer local;
    private static QdrantClient client;

    private final List<String> collections = new ArrayList<>();
    private final List<String> aliases = new ArrayList<>();

    @BeforeAll
    static void connect() {
        String url = System.getenv("QDRANT_URL");
        if (url == null || url.isBlank()) {
            local = LocalQdrantServer.start();
            client = new QdrantClient(QdrantGrpcClient.newBuilder(local.host(), local.port(), false).build());
            LOG.info("Alias contract tests run against LocalQdrantServer on port {}", local.port());
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
        LOG.info("Alias contract tests run against the Qdrant at QDRANT_URL {}:{} (tls={})", uri.getHost(), port,
                tls);
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
    void deleteCreated() throws Exception {
        for (String alias : aliases) {
            get(client.deleteAliasAsync(alias));
        }
        for (String name : collections) {
            client.grpcClient().collections()
                    .delete(DeleteCollection.newBuilder().setCollectionName(name).build())
                    .get(30, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String randomName(String prefix) {
        return prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    private String collection() throws Exception {
        String name = randomName("contract");
        collections.add(name);
        get(client.createCollectionAsync(name,
                Map.of("dense", VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build())));
        return name;
    }

    /** A fresh alias name, deleted after the test whether or not it was created. */
    private String aliasName() {
        String name = randomName("contract_alias");
        aliases.add(name);
        return name;
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static void assertFails(Future<?> future, Status.Code code, String messagePart) throws Exception {
        try {
            Object result = future.get(30, TimeUnit.SECONDS);
            fail("expected a gRPC error, got " + result);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
            Status status = ((StatusRuntimeException) e.getCause()).getStatus();
            assertThat(status.getCode()).as(status.toString()).isEqualTo(code);
            assertThat(status.getDescription()).contains(messagePart);
        }
    }

    private static AliasOperations create(String alias, String collection) {
        return AliasOperations.newBuilder()
                .setCreateAlias(CreateAlias.newBuilder().setAliasName(alias).setCollectionName(collection))
                .build();
    }

    private static AliasOperations delete(String alias) {
        return AliasOperations.newBuilder().setDeleteAlias(DeleteAlias.newBuilder().setAliasName(alias)).build();
    }

    private static AliasOperations rename(String from, String to) {
        return AliasOperations.newBuilder()
                .setRenameAlias(RenameAlias.newBuilder().setOldAliasName(from).setNewAliasName(to))
                .build();
    }

    private static PointStruct point(long id, float[] dense) {
        return PointStruct.newBuilder().setId(id(id)).setVectors(namedVectors(Map.of("dense", vector(dense))))
                .putPayload("genre", value(id % 2 == 0 ? "even" : "odd"))
                .build();
    }

    private static List<Float> floats(float... values) {
        List<Float> out = new ArrayList<>();
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    // ------------------------------------------------------------------ create, list, switch, delete

    @Test
    void createdAliasesAreListedPerCollectionAndOverall() throws Exception {
        String v1 = collection();
        String v2 = collection();
        String a = aliasName();
        String b = aliasName();
        String c = aliasName();
        assertThat(get(client.updateAliasesAsync(List.of(create(a, v1), create(b, v1), create(c, v2))))
                .getResult()).isTrue();

        assertThat(get(client.listCollectionAliasesAsync(v1))).containsExactlyInAnyOrder(a, b);
        assertThat(get(client.listCollectionAliasesAsync(v2))).containsExactly(c);
        assertThat(get(client.listAliasesAsync())).contains(
                AliasDescription.newBuilder().setAliasName(a).setCollectionName(v1).build(),
                AliasDescription.newBuilder().setAliasName(b).setCollectionName(v1).build(),
                AliasDescription.newBuilder().setAliasName(c).setCollectionName(v2).build());
        // Listing by an alias or an unknown name is not resolved and not an error: it finds nothing.
        assertThat(get(client.listCollectionAliasesAsync(a))).isEmpty();
        assertThat(get(client.listCollectionAliasesAsync(v1 + "_unknown"))).isEmpty();
        // An alias is not a collection.
        assertThat(get(client.listCollectionsAsync())).contains(v1, v2).doesNotContain(a, b, c);
        assertThat(get(client.collectionExistsAsync(a))).isTrue();
    }

    @Test
    void switchingInOneRequestNeverShowsReadersAMissingAlias() throws Exception {
        String v1 = collection();
        String v2 = collection();
        get(client.upsertAsync(v2, List.of(point(1, new float[] {1, 0, 0, 0}))));
        String live = aliasName();
        get(client.createAliasAsync(live, v1));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        List<Throwable> failures = new ArrayList<>();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                try {
                    get(client.countAsync(live));
                    reads.incrementAndGet();
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                    return;
                }
            }
        }, "alias-reader");
        reader.start();
        try {
            for (int i = 0; i < 50; i++) {
                String to = i % 2 == 0 ? v2 : v1;
                get(client.updateAliasesAsync(List.of(delete(live), create(live, to))));
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertThat(failures).isEmpty();
        assertThat(reads.get()).isPositive();
        assertThat(get(client.listCollectionAliasesAsync(v1))).containsExactly(live);
        assertThat(get(client.countAsync(live))).isZero();
    }

    @Test
    void creatingAnExistingAliasAgainPointsItAtTheNewCollection() throws Exception {
        String v1 = collection();
        String v2 = collection();
        String live = aliasName();
        get(client.createAliasAsync(live, v1));
        get(client.createAliasAsync(live, v2));
        assertThat(get(client.listCollectionAliasesAsync(v1))).isEmpty();
        assertThat(get(client.listCollectionAliasesAsync(v2))).containsExactly(live);
    }

    @Test
    void renamingOntoAnotherAliasReplacesIt() throws Exception {
        String v1 = collection();
        String v2 = collection();
        String first = aliasName();
        String second = aliasName();
        get(client.updateAliasesAsync(List.of(create(first, v1), create(second, v2))));
        get(client.updateAliasesAsync(List.of(rename(first, second))));
        assertThat(get(client.listCollectionAliasesAsync(v1))).containsExactly(second);
        assertThat(get(client.listCollectionAliasesAsync(v2))).isEmpty();
        assertFails(client.countAsync(first), Status.Code.NOT_FOUND, "Collection `" + first + "` doesn't exist!");
    }

    @Test
    void deletingACollectionByAnAliasNameDeletesNothing() throws Exception {
        String v1 = collection();
        String live = aliasName();
        get(client.createAliasAsync(live, v1));
        assertThat(get(client.grpcClient().collections()
                .delete(DeleteCollection.newBuilder().setCollectionName(live).build())).getResult()).isFalse();
        assertThat(get(client.collectionExistsAsync(v1))).isTrue();
        assertThat(get(client.listCollectionAliasesAsync(v1))).containsExactly(live);
    }

    @Test
    void anEmptyRequestChangesNothingAndSucceeds() throws Exception {
        assertThat(get(client.updateAliasesAsync(List.of())).getResult()).isTrue();
    }

    // ------------------------------------------------------------------ reads and writes through an alias

    @Test
    void everyPointCallAndIndexCreationThroughAnAliasReachesItsTarget() throws Exception {
        String target = collection();
        String alias = aliasName();
        get(client.createAliasAsync(alias, target));

        get(client.upsertAsync(alias, List.of(point(1, new float[] {1, 0, 0, 0}), point(2, new float[] {0, 1, 0, 0}),
                point(3, new float[] {0, 0, 1, 0}))));
        PointsSelector one = PointsSelector.newBuilder().setPoints(PointsIdsList.newBuilder().addIds(id(1))).build();
        get(client.batchUpdateAsync(alias, List.of(
                PointsUpdateOperation.newBuilder().setUpsert(PointsUpdateOperation.PointStructList.newBuilder()
                        .addPoints(point(4, new float[] {0, 0, 0, 1}))).build(),
                PointsUpdateOperation.newBuilder().setDeletePoints(
                        PointsUpdateOperation.DeletePoints.newBuilder().setPoints(one)).build())));
        get(client.deleteAsync(alias, List.of(id(3))));
        get(client.createPayloadIndexAsync(alias, "genre", PayloadSchemaType.Keyword, null, true, null, null));

        assertThat(get(client.countAsync(target))).isEqualTo(2);
        assertThat(get(client.getCollectionInfoAsync(target)).getPayloadSchemaMap()).containsOnlyKeys("genre");
        assertThat(get(client.getCollectionInfoAsync(alias)).getPointsCount()).isEqualTo(2);
        assertThat(get(client.retrieveAsync(alias, List.of(id(2), id(4)), false, false, null))).hasSize(2);

        List<BatchResult> searches = get(client.searchBatchAsync(alias, List.of(
                SearchPoints.newBuilder().setCollectionName(alias).setVectorName("dense")
                        .addAllVector(floats(0, 1, 0, 0)).setLimit(1).build(),
                SearchPoints.newBuilder().setCollectionName(alias).setVectorName("dense")
                        .addAllVector(floats(0, 0, 0, 1)).setLimit(1).build()), null));
        assertThat(searches).extracting(r -> r.getResult(0).getId().getNum()).containsExactly(2L, 4L);

        List<BatchResult> queries = get(client.queryBatchAsync(alias, List.of(
                QueryPoints.newBuilder().setCollectionName(alias).setUsing("dense")
                        .setQuery(nearest(0, 0, 0, 1)).setLimit(1).build())));
        assertThat(queries.get(0).getResultList()).extracting(p -> p.getId().getNum()).containsExactly(4L);
        List<ScoredPoint> query = get(client.queryAsync(QueryPoints.newBuilder().setCollectionName(alias)
                .setUsing("dense").setQuery(nearest(0, 1, 0, 0)).setLimit(1).build()));
        assertThat(query).extracting(p -> p.getId().getNum()).containsExactly(2L);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void anAliasMustPointAtACollectionByItsOwnName() throws Exception {
        String v1 = collection();
        String missing = v1 + "_missing";
        assertFails(client.createAliasAsync(aliasName(), missing), Status.Code.NOT_FOUND,
                "Not found: Collection `" + missing + "` doesn't exist!");
        String first = aliasName();
        get(client.createAliasAsync(first, v1));
        assertFails(client.createAliasAsync(aliasName(), first), Status.Code.NOT_FOUND,
                "Collection `" + first + "` doesn't exist!");
    }

    @Test
    void anAliasAndACollectionCannotShareAName() throws Exception {
        String v1 = collection();
        String v2 = collection();
        assertFails(client.createAliasAsync(v2, v1), Status.Code.ALREADY_EXISTS,
                "Wrong input: Collection `" + v2 + "` already exists!");
        String alias = aliasName();
        get(client.createAliasAsync(alias, v1));
        assertFails(client.createCollectionAsync(alias,
                        VectorParams.newBuilder().setSize(4).setDistance(Distance.Cosine).build()),
                Status.Code.INVALID_ARGUMENT, "Wrong input: Can't create collection with name " + alias
                        + ". Alias with the same name already exists");
        assertThat(get(client.listCollectionsAsync())).doesNotContain(alias);
    }

    @Test
    void deletingAMissingAliasSucceedsButRenamingOneIsNotFound() throws Exception {
        String never = aliasName();
        assertThat(get(client.deleteAliasAsync(never)).getResult()).isTrue();
        assertFails(client.renameAliasAsync(never, aliasName()), Status.Code.NOT_FOUND,
                "Not found: Alias " + never + " does not exists!");
    }

    @Test
    void aFailingActionKeepsEarlierActionsOfItsRequest() throws Exception {
        // Qdrant's "atomic" alias change blocks readers and writers while it runs; it does not roll back.
        String v1 = collection();
        String v2 = collection();
        String live = aliasName();
        get(client.createAliasAsync(live, v1));
        String missing = v2 + "_missing";
        assertFails(client.updateAliasesAsync(List.of(delete(live), create(live, missing))),
                Status.Code.NOT_FOUND, "Collection `" + missing + "` doesn't exist!");
        assertThat(get(client.listCollectionAliasesAsync(v1))).isEmpty();
        assertFails(client.countAsync(live), Status.Code.NOT_FOUND, "Collection `" + live + "` doesn't exist!");
    }

    @Test
    void aMalformedActionRejectsTheWholeRequestBeforeAnythingIsApplied() throws Exception {
        String v1 = collection();
        String alias = aliasName();
        assertFails(client.grpcClient().collections().updateAliases(ChangeAliases.newBuilder()
                        .addActions(create(alias, v1))
                        .addActions(AliasOperations.newBuilder().build())
                        .build()),
                Status.Code.INVALID_ARGUMENT, "Malformed AliasOperation type");
        assertThat(get(client.listCollectionAliasesAsync(v1))).isEmpty();
        assertFails(client.grpcClient().collections().updateAliases(ChangeAliases.newBuilder()
                        .addActions(create(alias, v1)).setTimeout(0).build()),
                Status.Code.INVALID_ARGUMENT, "timeout: value 0 invalid, must be 1 or larger");
        assertThat(get(client.listCollectionAliasesAsync(v1))).isEmpty();
    }
}
