package io.shelfstream.connectors.local.qdrant;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.CollectionStatus;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.MaxOptimizationThreads;
import io.qdrant.client.grpc.Collections.OptimizerStatus;
import io.qdrant.client.grpc.Collections.OptimizersConfigDiff;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.UpdateQueueInfo;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Collections.WalConfigDiff;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.NamedVectorsOutput;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.VectorsOutput;

/**
 * One in-memory collection: its vector spaces, points ordered by id, payload indexes and an operation
 * counter.
 *
 * <p>Thread-safe: reads share a lock, updates take it exclusively, so every update is atomic and visible
 * to every read that starts after it returns. Errors that Qdrant raises while applying an operation
 * (after it has been accepted into its write-ahead log) are thrown as {@link ApplyFailure}, so the caller
 * can report them only when the client waits, as Qdrant does.
 */
final class LocalCollection {

    /** Name of the vector in the single unnamed-vector form, as Qdrant names it internally. */
    static final String DEFAULT_VECTOR = "";

    /** An error raised while applying an accepted update; Qdrant reports it only with {@code wait=true}. */
    static final class ApplyFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient StatusRuntimeException status;
        final long operationId;

        ApplyFailure(StatusRuntimeException status, long operationId) {
            super(status.getMessage(), null, false, false);
            this.status = status;
            this.operationId = operationId;
        }
    }

    /** Size and distance of one dense vector space. */
    static final class VectorSpace {
        final int size;
        final Distance distance;

        VectorSpace(int size, Distance distance) {
            this.size = size;
            this.distance = distance;
        }
    }

    /** A point to upsert, as parsed from a request; vectors are raw (not yet normalised). */
    static final class PointInput {
        final PointKey id;
        final Map<String, float[]> vectors;
        final boolean unnamedForm;
        final Map<String, Value> payload;

        PointInput(PointKey id, Map<String, float[]> vectors, boolean unnamedForm, Map<String, Value> payload) {
            this.id = id;
            this.vectors = vectors;
            this.unnamedForm = unnamedForm;
            this.payload = payload;
        }
    }

    /** A stored point; immutable, replaced as a whole on every change. */
    static final class StoredPoint {
        final PointKey id;
        final Map<String, float[]> vectors;
        final Map<String, Value> payload;
        final long version;

        StoredPoint(PointKey id, Map<String, float[]> vectors, Map<String, Value> payload, long version) {
            this.id = id;
            this.vectors = vectors;
            this.payload = payload;
            this.version = version;
        }

        boolean matches(PayloadFilter filter) {
            return filter.test(id, payload, vectors.keySet());
        }
    }

    /** Which vectors a read returns. */
    static final class VectorSelection {
        static final VectorSelection NONE = new VectorSelection(false, null);
        static final VectorSelection ALL = new VectorSelection(true, null);

        final boolean enabled;
        final Set<String> names;

        VectorSelection(boolean enabled, Set<String> names) {
            this.enabled = enabled;
            this.names = names;
        }

        boolean includes(String name) {
            return enabled && (names == null || names.contains(name));
        }
    }

    /** A payload index as recorded for {@code payload_schema}. */
    static final class FieldIndex {
        final JsonPath path;
        final PayloadSchemaType type;
        final PayloadIndexParams params;

        FieldIndex(JsonPath path, PayloadSchemaType type, PayloadIndexParams params) {
            this.path = path;
            this.type = type;
            this.params = params;
        }
    }

    /** One search hit before it is turned into a response message. */
    static final class Hit {
        final StoredPoint point;
        final float score;

        Hit(StoredPoint point, float score) {
            this.point = point;
            this.score = score;
        }
    }

    private final String name;
    private final CreateCollection definition;
    private final boolean unnamed;
    private final Map<String, VectorSpace> spaces;
    private final TreeMap<PointKey, StoredPoint> points = new TreeMap<>();
    private final Map<String, FieldIndex> indexes = new TreeMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long nextOperationId;

    LocalCollection(String name, CreateCollection definition, boolean unnamed, Map<String, VectorSpace> spaces) {
        this.name = name;
        this.definition = definition;
        this.unnamed = unnamed;
        this.spaces = spaces;
    }

    String name() {
        return name;
    }

    // ---------------------------------------------------------------- updates

    /**
     * Upserts whole points (vectors and payload are replaced). Dimension errors are raised before anything
     * is accepted; unknown vector names are raised as {@link ApplyFailure}. Returns the operation id.
     */
    long upsert(List<PointInput> inputs, PayloadFilter updateFilter, UpdateMode mode) {
        for (PointInput p : inputs) {
            checkDimensions(p);
        }
        lock.writeLock().lock();
        try {
            long op = nextOperationId++;
            for (PointInput p : inputs) {
                for (String vectorName : p.vectors.keySet()) {
                    if (!spaces.containsKey(vectorName)) {
                        throw new ApplyFailure(
                                QdrantErrors.badInput("Not existing vector name error: " + vectorName), op);
                    }
                }
            }
            for (PointInput p : inputs) {
                StoredPoint existing = points.get(p.id);
                if (existing == null ? mode == UpdateMode.UpdateOnly : mode == UpdateMode.InsertOnly) {
                    continue;
                }
                if (existing != null && updateFilter != null && !existing.matches(updateFilter)) {
                    continue;
                }
                Map<String, float[]> stored = new LinkedHashMap<>();
                for (Map.Entry<String, float[]> v : p.vectors.entrySet()) {
                    stored.put(v.getKey(), VectorMath.preprocess(spaces.get(v.getKey()).distance, v.getValue()));
                }
                points.put(p.id, new StoredPoint(p.id, stored, p.payload, op));
            }
            return op;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void checkDimensions(PointInput p) {
        for (Map.Entry<String, float[]> v : p.vectors.entrySet()) {
            VectorSpace space = spaces.get(v.getKey());
            if (space == null) {
                continue;
            }
            if (v.getValue().length != space.size) {
                String message = "Vector dimension error: expected dim: " + space.size + ", got "
                        + v.getValue().length;
                throw QdrantErrors.badInput(p.unnamedForm ? message : message + " for vector '" + v.getKey() + "'");
            }
        }
    }

    /** Deletes the given ids (missing ids are ignored) and returns the operation id. */
    long delete(Collection<PointKey> ids) {
        lock.writeLock().lock();
        try {
            for (PointKey id : ids) {
                points.remove(id);
            }
            return nextOperationId++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    long deleteMatching(PayloadFilter filter) {
        lock.writeLock().lock();
        try {
            points.values().removeIf(p -> p.matches(filter));
            return nextOperationId++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Rewrites the payload of the selected points. With an id list, points are processed in chunks of 32 as
     * Qdrant does: existing points of a chunk are changed, then the first missing id fails the operation.
     */
    long updatePayload(List<PointKey> ids, PayloadFilter filter, Function<Map<String, Value>, Map<String, Value>> change) {
        lock.writeLock().lock();
        try {
            long op = nextOperationId++;
            List<PointKey> targets = ids != null ? ids : matchingIds(filter);
            for (int from = 0; from < targets.size(); from += 32) {
                List<PointKey> chunk = targets.subList(from, Math.min(targets.size(), from + 32));
                PointKey missing = null;
                for (PointKey id : chunk) {
                    StoredPoint p = points.get(id);
                    if (p == null) {
                        missing = missing == null ? id : missing;
                        continue;
                    }
                    points.put(id, new StoredPoint(id, p.vectors, change.apply(p.payload), op));
                }
                if (missing != null) {
                    throw new ApplyFailure(QdrantErrors.pointNotFound(missing), op);
                }
            }
            return op;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private List<PointKey> matchingIds(PayloadFilter filter) {
        List<PointKey> out = new ArrayList<>();
        for (StoredPoint p : points.values()) {
            if (p.matches(filter)) {
                out.add(p.id);
            }
        }
        return out;
    }

    long createIndex(FieldIndex index) {
        lock.writeLock().lock();
        try {
            indexes.put(index.path.text(), index);
            return nextOperationId++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    long deleteIndex(JsonPath path) {
        lock.writeLock().lock();
        try {
            indexes.remove(path.text());
            return nextOperationId++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- reads

    /** The requested points that exist, in request order, each once. */
    List<RetrievedPoint> get(List<PointKey> ids, PayloadValues.Selection payload, VectorSelection vectors) {
        lock.readLock().lock();
        try {
            List<RetrievedPoint> out = new ArrayList<>();
            for (PointKey id : new LinkedHashSet<>(ids)) {
                StoredPoint p = points.get(id);
                if (p != null) {
                    out.add(retrieved(p, payload, vectors));
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    long count(PayloadFilter filter) {
        lock.readLock().lock();
        try {
            return points.values().stream().filter(p -> p.matches(filter)).count();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Up to {@code limit + 1} matching points in id order, starting at {@code offset} (inclusive). */
    List<StoredPoint> scroll(PayloadFilter filter, PointKey offset, int limitPlusOne) {
        lock.readLock().lock();
        try {
            Collection<StoredPoint> from = offset == null ? points.values() : points.tailMap(offset, true).values();
            List<StoredPoint> out = new ArrayList<>();
            for (StoredPoint p : from) {
                if (out.size() >= limitPlusOne) {
                    break;
                }
                if (p.matches(filter)) {
                    out.add(p);
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The vector space used for {@code vectorName}, or an INVALID_ARGUMENT like Qdrant's. */
    VectorSpace space(String vectorName) {
        VectorSpace space = spaces.get(vectorName);
        if (space == null) {
            throw QdrantErrors.badInput("Not existing vector name error: " + vectorName);
        }
        return space;
    }

    /** A stored vector, for queries that reference a point by id. */
    float[] storedVector(PointKey id, String vectorName) {
        lock.readLock().lock();
        try {
            StoredPoint p = points.get(id);
            if (p == null || !p.vectors.containsKey(vectorName)) {
                throw QdrantErrors.pointNotFound(id);
            }
            return p.vectors.get(vectorName);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Exact nearest-neighbour search: every matching point with the vector is scored, the best
     * {@code offset + limit} that pass the threshold are kept and the first {@code offset} skipped.
     */
    List<Hit> search(String vectorName, float[] query, PayloadFilter filter, Set<PointKey> excluded,
            Float scoreThreshold, int offset, int limit) {
        VectorSpace space = space(vectorName);
        if (query.length != space.size) {
            throw QdrantErrors.badInput("Vector dimension error: expected dim: " + space.size + ", got " + query.length);
        }
        float[] prepared = VectorMath.preprocess(space.distance, query);
        List<Hit> hits = new ArrayList<>();
        lock.readLock().lock();
        try {
            for (StoredPoint p : points.values()) {
                float[] stored = p.vectors.get(vectorName);
                if (stored == null || excluded.contains(p.id) || !p.matches(filter)) {
                    continue;
                }
                float score = VectorMath.score(space.distance, prepared, stored);
                if (scoreThreshold == null || VectorMath.passesThreshold(space.distance, score, scoreThreshold)) {
                    hits.add(new Hit(p, score));
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        Comparator<Hit> byScore = Comparator.comparingDouble(h -> h.score);
        if (VectorMath.largerIsBetter(space.distance)) {
            byScore = byScore.reversed();
        }
        hits.sort(byScore.thenComparing(h -> h.point.id));
        if (offset >= hits.size()) {
            return List.of();
        }
        return hits.subList(offset, (int) Math.min(hits.size(), (long) offset + limit));
    }

    // ---------------------------------------------------------------- responses

    RetrievedPoint retrieved(StoredPoint p, PayloadValues.Selection payload, VectorSelection vectors) {
        RetrievedPoint.Builder b = RetrievedPoint.newBuilder()
                .setId(p.id.toProto())
                .putAllPayload(payload.apply(p.payload));
        if (vectors.enabled) {
            b.setVectors(vectorsOutput(p, vectors));
        }
        return b.build();
    }

    ScoredPoint scored(StoredPoint p, float score, PayloadValues.Selection payload, VectorSelection vectors) {
        ScoredPoint.Builder b = ScoredPoint.newBuilder()
                .setId(p.id.toProto())
                .setScore(score)
                .setVersion(p.version)
                .putAllPayload(payload.apply(p.payload));
        if (vectors.enabled) {
            b.setVectors(vectorsOutput(p, vectors));
        }
        return b.build();
    }

    private VectorsOutput vectorsOutput(StoredPoint p, VectorSelection selection) {
        if (unnamed && p.vectors.containsKey(DEFAULT_VECTOR) && selection.includes(DEFAULT_VECTOR)) {
            return VectorsOutput.newBuilder().setVector(dense(p.vectors.get(DEFAULT_VECTOR))).build();
        }
        NamedVectorsOutput.Builder named = NamedVectorsOutput.newBuilder();
        for (Map.Entry<String, float[]> v : p.vectors.entrySet()) {
            if (selection.includes(v.getKey())) {
                named.putVectors(v.getKey(), dense(v.getValue()));
            }
        }
        return VectorsOutput.newBuilder().setVectors(named).build();
    }

    private static VectorOutput dense(float[] vector) {
        DenseVector.Builder d = DenseVector.newBuilder();
        for (float x : vector) {
            d.addData(x);
        }
        return VectorOutput.newBuilder().setDense(d).build();
    }

    /** Collection info as Qdrant reports it for a healthy single-node collection. */
    CollectionInfo info() {
        lock.readLock().lock();
        try {
            CollectionInfo.Builder info = CollectionInfo.newBuilder()
                    .setStatus(CollectionStatus.Green)
                    .setOptimizerStatus(OptimizerStatus.newBuilder().setOk(true))
                    .setSegmentsCount(1)
                    .setPointsCount(points.size())
                    .setIndexedVectorsCount(0)
                    .setUpdateQueue(UpdateQueueInfo.newBuilder().setLength(0))
                    .setConfig(config());
            for (FieldIndex index : indexes.values()) {
                PayloadSchemaInfo.Builder schema = PayloadSchemaInfo.newBuilder()
                        .setDataType(index.type)
                        .setPoints(indexedPoints(index));
                if (index.params != null) {
                    schema.setParams(index.params);
                }
                info.putPayloadSchema(index.path.text(), schema.build());
            }
            return info.build();
        } finally {
            lock.readLock().unlock();
        }
    }

    private long indexedPoints(FieldIndex index) {
        long n = 0;
        for (StoredPoint p : points.values()) {
            if (index.path.values(p.payload).stream().anyMatch(v -> isIndexable(index.type, v))) {
                n++;
            }
        }
        return n;
    }

    private static boolean isIndexable(PayloadSchemaType type, Value v) {
        if (v.getKindCase() == Value.KindCase.LIST_VALUE) {
            return v.getListValue().getValuesList().stream().anyMatch(x -> isIndexable(type, x));
        }
        switch (type) {
            case Keyword:
            case Text:
                return v.getKindCase() == Value.KindCase.STRING_VALUE;
            case Integer:
                return v.getKindCase() == Value.KindCase.INTEGER_VALUE;
            case Float:
                return v.getKindCase() == Value.KindCase.INTEGER_VALUE
                        || v.getKindCase() == Value.KindCase.DOUBLE_VALUE;
            case Bool:
                return v.getKindCase() == Value.KindCase.BOOL_VALUE;
            case Uuid:
                return v.getKindCase() == Value.KindCase.STRING_VALUE && PointKey.parseUuid(v.getStringValue()) != null;
            case Datetime:
                return v.getKindCase() == Value.KindCase.STRING_VALUE && isDatetime(v.getStringValue());
            case Geo:
                return v.getKindCase() == Value.KindCase.STRUCT_VALUE
                        && v.getStructValue().containsFields("lon") && v.getStructValue().containsFields("lat");
            default:
                return false;
        }
    }

    private static boolean isDatetime(String s) {
        try {
            java.time.OffsetDateTime.parse(s);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            try {
                java.time.LocalDateTime.parse(s);
                return true;
            } catch (java.time.format.DateTimeParseException e2) {
                return false;
            }
        }
    }

    private CollectionConfig config() {
        CollectionParams.Builder params = CollectionParams.newBuilder()
                .setShardNumber(definition.hasShardNumber() ? definition.getShardNumber() : 1)
                .setOnDiskPayload(!definition.hasOnDiskPayload() || definition.getOnDiskPayload())
                .setReplicationFactor(definition.hasReplicationFactor() ? definition.getReplicationFactor() : 1)
                .setWriteConsistencyFactor(
                        definition.hasWriteConsistencyFactor() ? definition.getWriteConsistencyFactor() : 1)
                .setVectorsConfig(definition.hasVectorsConfig()
                        && definition.getVectorsConfig().getConfigCase() != VectorsConfig.ConfigCase.CONFIG_NOT_SET
                        ? definition.getVectorsConfig()
                        : VectorsConfig.newBuilder()
                                .setParamsMap(io.qdrant.client.grpc.Collections.VectorParamsMap.getDefaultInstance())
                                .build());
        if (definition.hasShardingMethod()) {
            params.setShardingMethod(definition.getShardingMethod());
        }
        HnswConfigDiff hnsw = HnswConfigDiff.newBuilder()
                .setM(16).setEfConstruct(100).setFullScanThreshold(10_000).setMaxIndexingThreads(0).setOnDisk(false)
                .mergeFrom(definition.getHnswConfig())
                .build();
        OptimizersConfigDiff optimizers = OptimizersConfigDiff.newBuilder()
                .setDeletedThreshold(0.2).setVacuumMinVectorNumber(1000).setDefaultSegmentNumber(0)
                .setIndexingThreshold(10_000).setFlushIntervalSec(5)
                .setMaxOptimizationThreads(MaxOptimizationThreads.newBuilder()
                        .setSetting(MaxOptimizationThreads.Setting.Auto))
                .mergeFrom(definition.getOptimizersConfig())
                .build();
        WalConfigDiff wal = WalConfigDiff.newBuilder()
                .setWalCapacityMb(32).setWalSegmentsAhead(0).setWalRetainClosed(1)
                .mergeFrom(definition.getWalConfig())
                .build();
        CollectionConfig.Builder config = CollectionConfig.newBuilder()
                .setParams(params)
                .setHnswConfig(hnsw)
                .setOptimizerConfig(optimizers)
                .setWalConfig(wal)
                .putAllMetadata(definition.getMetadataMap());
        if (definition.hasQuantizationConfig()) {
            config.setQuantizationConfig(definition.getQuantizationConfig());
        }
        if (definition.hasStrictModeConfig()) {
            config.setStrictModeConfig(definition.getStrictModeConfig());
        }
        return config.build();
    }

    @Override
    public String toString() {
        return "LocalCollection[" + name + ", " + spaces.keySet() + "]";
    }
}
