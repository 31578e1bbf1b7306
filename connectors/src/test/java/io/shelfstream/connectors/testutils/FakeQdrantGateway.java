package io.shelfstream.connectors.testutils;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.grpc.Status;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.shelfstream.connectors.qdrant.internal.QdrantGateway;

/**
 * An in-memory {@link QdrantGateway} that records every call and fails calls on request, for unit tests of the
 * writer and committer. It keeps points per collection (whole-point upserts, deletes by id) but checks nothing
 * beyond the vector size; protocol fidelity is the job of {@code LocalQdrantServer} and its contract tests.
 */
public final class FakeQdrantGateway implements QdrantGateway {

    /** A scripted failure: calls matching {@code call} fail with {@code status}. */
    private record Failure(Predicate<String> call, Status status) {
    }

    private final Map<String, Collection> collections = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final List<Boolean> waits = new ArrayList<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private final Map<String, String> rejectedPoints = new LinkedHashMap<>();
    private boolean interruptNext;
    private boolean closed;

    /** A collection as the fake holds it. */
    public static final class Collection {
        final String vectorName;
        final int size;
        final Distance distance;
        final Map<String, PayloadSchemaType> indexes = new LinkedHashMap<>();
        final Map<String, PointStruct> points = new LinkedHashMap<>();

        Collection(String vectorName, int size, Distance distance) {
            this.vectorName = vectorName;
            this.size = size;
            this.distance = distance;
        }

        /** The points by id, in first-write order. */
        public Map<String, PointStruct> points() {
            return points;
        }

        /** The payload indexes by field. */
        public Map<String, PayloadSchemaType> indexes() {
            return indexes;
        }
    }

    /** Adds an existing collection with a named vector. */
    public synchronized FakeQdrantGateway withCollection(String name, String vectorName, int size, Distance distance) {
        collections.put(name, new Collection(vectorName, size, distance));
        return this;
    }

    /**
     * Fails the next {@code times} calls whose description starts with {@code callPrefix} (e.g. "upsert",
     * "delete", "exists", "info", "create", "index") with {@code code}.
     */
    public synchronized FakeQdrantGateway failNext(int times, String callPrefix, Status.Code code) {
        for (int i = 0; i < times; i++) {
            failures.addLast(new Failure(c -> c.startsWith(callPrefix), code.toStatus().withDescription(
                    "injected " + code)));
        }
        return this;
    }

    /** Fails every upsert that carries point {@code id} with INVALID_ARGUMENT, as Qdrant rejects a bad point. */
    public synchronized FakeQdrantGateway rejectPoint(String id, String description) {
        rejectedPoints.put(id, description);
        return this;
    }

    /** The next call throws {@link InterruptedException}, as when the task is cancelled. */
    public synchronized FakeQdrantGateway interruptNext() {
        interruptNext = true;
        return this;
    }

    /** Every call so far, e.g. {@code "upsert books [id1, id2]"}. */
    public synchronized List<String> calls() {
        return new ArrayList<>(calls);
    }

    /** Calls whose description starts with {@code prefix}. */
    public synchronized List<String> calls(String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).toList();
    }

    /** The {@code wait} flag of every upsert and delete, in order. */
    public synchronized List<Boolean> waits() {
        return new ArrayList<>(waits);
    }

    /** A collection, or null. */
    public synchronized Collection collection(String name) {
        return collections.get(name);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private void enter(String call) throws InterruptedException {
        calls.add(call);
        if (interruptNext) {
            interruptNext = false;
            throw new InterruptedException("injected interrupt");
        }
        for (var it = failures.iterator(); it.hasNext(); ) {
            Failure f = it.next();
            if (f.call.test(call)) {
                it.remove();
                throw f.status.asRuntimeException();
            }
        }
    }

    private Collection existing(String name) {
        Collection c = collections.get(name);
        if (c == null) {
            throw Status.NOT_FOUND.withDescription("Not found: Collection `" + name + "` doesn't exist!")
                    .asRuntimeException();
        }
        return c;
    }

    @Override
    public synchronized boolean collectionExists(String collection) throws InterruptedException {
        enter("exists " + collection);
        return collections.containsKey(collection);
    }

    @Override
    public synchronized CollectionInfo collectionInfo(String collection) throws InterruptedException {
        enter("info " + collection);
        Collection c = existing(collection);
        CollectionInfo.Builder info = CollectionInfo.newBuilder()
                .setConfig(CollectionConfig.newBuilder().setParams(CollectionParams.newBuilder()
                        .setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(VectorParamsMap.newBuilder()
                                .putMap(c.vectorName, VectorParams.newBuilder().setSize(c.size)
                                        .setDistance(c.distance).build())))))
                .setPointsCount(c.points.size());
        c.indexes.forEach((field, type) -> info.putPayloadSchema(field,
                PayloadSchemaInfo.newBuilder().setDataType(type).build()));
        return info.build();
    }

    @Override
    public synchronized void createCollection(String collection, String vectorName, int vectorSize)
            throws InterruptedException {
        enter("create " + collection);
        if (collections.containsKey(collection)) {
            throw Status.ALREADY_EXISTS.withDescription("Wrong input: Collection `" + collection
                    + "` already exists!").asRuntimeException();
        }
        collections.put(collection, new Collection(vectorName, vectorSize, Distance.Cosine));
    }

    @Override
    public synchronized void createPayloadIndex(String collection, String field, PayloadSchemaType type)
            throws InterruptedException {
        enter("index " + collection + " " + field + " " + type);
        existing(collection).indexes.put(field, type);
    }

    @Override
    public synchronized void upsert(UpsertPoints request) throws InterruptedException {
        List<String> ids = request.getPointsList().stream().map(p -> idOf(p.getId())).toList();
        enter("upsert " + request.getCollectionName() + " " + ids);
        waits.add(request.getWait());
        Collection c = existing(request.getCollectionName());
        for (PointStruct p : request.getPointsList()) {
            String rejection = rejectedPoints.get(idOf(p.getId()));
            if (rejection != null) {
                throw Status.INVALID_ARGUMENT.withDescription(rejection).asRuntimeException();
            }
            int size = p.getVectors().getVectors().getVectorsMap().get(c.vectorName).getDense().getDataCount();
            if (size != c.size) {
                throw Status.INVALID_ARGUMENT.withDescription("Wrong input: Vector dimension error: expected dim: "
                        + c.size + ", got " + size).asRuntimeException();
            }
        }
        for (PointStruct p : request.getPointsList()) {
            c.points.put(idOf(p.getId()), p);
        }
    }

    @Override
    public synchronized void delete(DeletePoints request) throws InterruptedException {
        List<String> ids = request.getPoints().getPoints().getIdsList().stream().map(FakeQdrantGateway::idOf)
                .toList();
        enter("delete " + request.getCollectionName() + " " + ids);
        waits.add(request.getWait());
        Collection c = existing(request.getCollectionName());
        ids.forEach(c.points::remove);
    }

    /** The canonical string of a point id. */
    public static String idOf(PointId id) {
        return id.hasUuid() ? id.getUuid() : Long.toUnsignedString(id.getNum());
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
