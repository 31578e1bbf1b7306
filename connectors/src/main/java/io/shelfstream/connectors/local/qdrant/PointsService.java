package io.shelfstream.connectors.local.qdrant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.ClearPayloadPoints;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.CountResult;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeleteFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePayloadPoints;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.PointsUpdateOperation;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryBatchPoints;
import io.qdrant.client.grpc.Points.QueryBatchResponse;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchBatchPoints;
import io.qdrant.client.grpc.Points.SearchBatchResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.SearchResponse;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpdateBatchPoints;
import io.qdrant.client.grpc.Points.UpdateBatchResponse;
import io.qdrant.client.grpc.Points.UpdateMode;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import io.qdrant.client.grpc.PointsGrpc;

/**
 * Qdrant's {@code qdrant.Points} service over a {@link QdrantStore}.
 *
 * <p>Implements Upsert, Delete, Get, SetPayload, OverwritePayload, DeletePayload, ClearPayload,
 * CreateFieldIndex, DeleteFieldIndex, UpdateBatch, Search, SearchBatch, Scroll, Count, Query and
 * QueryBatch; every other method answers UNIMPLEMENTED, and so does any request shape the in-memory
 * model cannot answer exactly (sparse or multi vectors, prefetch, shard keys, order_by, ...).
 *
 * <p>Search is always exact, so search params (hnsw_ef, exact, quantization, indexed_only) are validated
 * but otherwise have no effect, and {@code read_consistency} and {@code timeout} are irrelevant to one
 * in-memory node.
 *
 * <p>Updates are applied before the reply in both modes. With {@code wait=false} the reply says
 * Acknowledged and, as in Qdrant, errors that only show while applying (an unknown vector name, a missing
 * point for a payload change) are logged instead of returned; errors Qdrant checks up front (dimension,
 * ids, unknown collection) are always returned.
 */
final class PointsService extends PointsGrpc.PointsImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(PointsService.class);

    private static final int DEFAULT_SCROLL_LIMIT = 10;
    private static final int DEFAULT_QUERY_LIMIT = 10;

    /** One parsed update, ready to run against the resolved collection. */
    private interface Update {
        long apply(LocalCollection collection);
    }

    private final QdrantStore store;

    PointsService(QdrantStore store) {
        this.store = store;
    }

    // ---------------------------------------------------------------- updates

    @Override
    public void upsert(UpsertPoints request, StreamObserver<PointsOperationResponse> observer) {
        Rpc.respond(observer, "Points/Upsert", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            rejectShardKeys(request.hasShardKeySelector());
            Update update = upsertOf(request.getPointsList(), request.hasUpdateFilter(), request.getUpdateFilter(),
                    request.hasUpdateMode() ? request.getUpdateMode() : UpdateMode.Upsert);
            return operationResponse(run(request.getCollectionName(), request.getWait(), update), start);
        });
    }

    private static Update upsertOf(List<PointStruct> points, boolean hasFilter, Filter filter, UpdateMode mode) {
        List<LocalCollection.PointInput> inputs = new ArrayList<>(points.size());
        for (PointStruct p : points) {
            inputs.add(pointInput(p));
        }
        PayloadFilter updateFilter = hasFilter ? PayloadFilter.of(true, filter) : null;
        if (mode == UpdateMode.UNRECOGNIZED) {
            mode = UpdateMode.Upsert;
        }
        UpdateMode effectiveMode = mode;
        return collection -> collection.upsert(inputs, updateFilter, effectiveMode);
    }

    private static LocalCollection.PointInput pointInput(PointStruct p) {
        if (!p.hasVectors()) {
            throw QdrantErrors.invalidArgument("Expected some vectors");
        }
        Map<String, float[]> vectors = new LinkedHashMap<>();
        boolean unnamedForm;
        Vectors v = p.getVectors();
        switch (v.getVectorsOptionsCase()) {
            case VECTOR:
                unnamedForm = true;
                vectors.put(LocalCollection.DEFAULT_VECTOR, denseOf(v.getVector(), true));
                break;
            case VECTORS:
                unnamedForm = false;
                for (Map.Entry<String, Vector> e : v.getVectors().getVectorsMap().entrySet()) {
                    vectors.put(e.getKey(), denseOf(e.getValue(), false));
                }
                break;
            default:
                throw QdrantErrors.invalidArgument("No Vector Provided");
        }
        if (!p.hasId()) {
            throw QdrantErrors.invalidArgument("Empty ID is not allowed");
        }
        PointKey id = PointKey.fromProto(p.getId());
        return new LocalCollection.PointInput(id, vectors, unnamedForm, PayloadValues.fromRequest(p.getPayloadMap()));
    }

    // Older clients still send the deprecated flat `data` / `indices` / `vectors_count` fields.
    @SuppressWarnings("deprecation")
    private static float[] denseOf(Vector vector, boolean unnamedForm) {
        List<Float> data;
        switch (vector.getVectorCase()) {
            case DENSE:
                data = vector.getDense().getDataList();
                break;
            case SPARSE:
                if (unnamedForm) {
                    throw QdrantErrors.invalidArgument("Sparse vector must be named");
                }
                throw QdrantErrors.unsupported("sparse vectors");
            case MULTI_DENSE:
                throw QdrantErrors.unsupported("multi-vectors");
            case DOCUMENT:
            case IMAGE:
            case OBJECT:
                throw QdrantErrors.unsupported("server-side inference (document, image or object vectors)");
            default:
                if (vector.hasIndices()) {
                    if (unnamedForm) {
                        throw QdrantErrors.invalidArgument("Sparse vector must be named");
                    }
                    throw QdrantErrors.unsupported("sparse vectors");
                }
                if (vector.hasVectorsCount()) {
                    throw QdrantErrors.unsupported("multi-vectors");
                }
                data = vector.getDataList();
        }
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i);
        }
        return out;
    }

    @Override
    public void delete(DeletePoints request, StreamObserver<PointsOperationResponse> observer) {
        Rpc.respond(observer, "Points/Delete", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            if (!request.hasPoints()) {
                throw QdrantErrors.invalidArgument("PointSelector is missing");
            }
            rejectShardKeys(request.hasShardKeySelector());
            Update update = deleteOf(request.getPoints());
            return operationResponse(run(request.getCollectionName(), request.getWait(), update), start);
        });
    }

    private static Update deleteOf(PointsSelector selector) {
        Selected selected = select(selector);
        return selected.ids != null
                ? collection -> collection.delete(selected.ids)
                : collection -> collection.deleteMatching(selected.filter);
    }

    @Override
    public void setPayload(SetPayloadPoints request, StreamObserver<PointsOperationResponse> observer) {
        Rpc.respond(observer, "Points/SetPayload", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            rejectShardKeys(request.hasShardKeySelector());
            Update update = setPayloadOf(request.getPayloadMap(), request.hasPointsSelector(),
                    request.getPointsSelector(), request.hasKey(), false);
            return operationResponse(run(request.getCollectionName(), request.getWait(), update), start);
        });
    }

    @Override
    public void overwritePayload(SetPayloadPoints request, StreamObserver<PointsOperationResponse> observer) {
        Rpc.respond(observer, "Points/OverwritePayload", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            rejectShardKeys(request.hasShardKeySelector());
            // Qdrant ignores `key` for overwrites.
            Update update = setPayloadOf(request.getPayloadMap(), request.hasPointsSelector(),
                    request.getPointsSelector(), false, true);
            return operationResponse(run(request.getCollectionName(), request.getWait(), update), start);
        });
    }

    private static Update setPayloadOf(Map<String, Value> payload, boolean hasSelector, PointsSelector selector,
            boolean hasKey, boolean overwrite) {
        if (hasKey) {
            throw QdrantErrors.unsupported("SetPayload with `key` (nested payload paths)");
        }
        if (!hasSelector) {
            throw QdrantErrors.invalidArgument("points_selector is expected");
        }
        Selected selected = select(selector);
        Map<String, Value> values = PayloadValues.fromRequest(payload);
        return collection -> collection.updatePayload(selected.ids, selected.filter,
                overwrite ? old -> values : old -> PayloadValues.merge(old, values));
    }

    @Override
    public void deletePayload(DeletePayloadPoints request, StreamObserver<PointsOperationResponse> observer) {
        Rpc.respond(observer, "Points/DeletePayload", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            rejectShardKeys(request.hasShardKeySelector());
            Update update = deletePayloadOf(request.getKeysList(), request.hasPointsSelector(),
                    request.getPointsSelector());
            return operationResponse(run(request.getCollectionName(), request.getWait(), update), start);
        });
    }

    private static Update deletePayloadOf(List<String> keys, boolean hasSelector, PointsSelector selector) {
        List<String> topLevel = new ArrayList<>();
        for (String key : keys) {
            JsonPath path = JsonPath.parse(key);
            if (!path.rest().isEmpty()) {
                throw QdrantErrors.unsupported("DeletePayload of nested keys (" + key + ")");
            }
            topLevel.add(path.firstKey());
        }
        if (!hasSelector) {
            throw QdrantErrors.invalidArgument("points_selector is expected");
        }
        Selected selected = select(selector);
        return collection -> collection.updatePayload(selected.ids, selected.filter, old -> {
            Map<String, Value> out = new LinkedHashMap<>(old);
            topLevel.forEach(out::remove);
            return out;
        });
    }

    @Override
    public void clearPayload(ClearPayloadPoints request, StreamObserver<PointsOperationResponse> observer) {
        Rpc.respond(observer, "Points/ClearPayload", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            rejectShardKeys(request.hasShardKeySelector());
            if (!request.hasPoints()) {
                throw QdrantErrors.invalidArgument("PointSelector is missing");
            }
            Update update = clearPayloadOf(request.getPoints());
            return operationResponse(run(request.getCollectionName(), request.getWait(), update), start);
        });
    }

    private static Update clearPayloadOf(PointsSelector selector) {
        Selected selected = select(selector);
        return collection -> collection.updatePayload(selected.ids, selected.filter, old -> Map.of());
    }

    @Override
    public void createFieldIndex(CreateFieldIndexCollection request, StreamObserver<PointsOperationResponse> observer) {
        Rpc.respond(observer, "Points/CreateFieldIndex", () -> {
            long start = System.nanoTime();
            List<String> errors = new ArrayList<>();
            Rpc.addCollectionNameErrors(errors, request.getCollectionName(), false);
            if (request.getFieldName().isEmpty()) {
                errors.add("field_name: value \"\" invalid, must be at least 1 characters");
            }
            Rpc.throwIfAny(errors);
            JsonPath path = JsonPath.parse(request.getFieldName());
            if (!request.hasFieldType() || request.getFieldType() == FieldType.UNRECOGNIZED) {
                throw QdrantErrors.invalidArgument("cannot convert field_type");
            }
            PayloadSchemaType type = schemaType(request.getFieldType());
            PayloadIndexParams params = null;
            if (request.hasFieldIndexParams()
                    && request.getFieldIndexParams().getIndexParamsCase()
                            != PayloadIndexParams.IndexParamsCase.INDEXPARAMS_NOT_SET) {
                params = request.getFieldIndexParams();
                if (!paramsMatch(type, params.getIndexParamsCase())) {
                    throw QdrantErrors.invalidArgument("field_type (" + type + ") and field_index_params do not match");
                }
            }
            LocalCollection.FieldIndex index = new LocalCollection.FieldIndex(path, type, params);
            return operationResponse(run(request.getCollectionName(), request.getWait(), c -> c.createIndex(index)),
                    start);
        });
    }

    private static PayloadSchemaType schemaType(FieldType type) {
        switch (type) {
            case FieldTypeKeyword:
                return PayloadSchemaType.Keyword;
            case FieldTypeInteger:
                return PayloadSchemaType.Integer;
            case FieldTypeFloat:
                return PayloadSchemaType.Float;
            case FieldTypeGeo:
                return PayloadSchemaType.Geo;
            case FieldTypeText:
                return PayloadSchemaType.Text;
            case FieldTypeBool:
                return PayloadSchemaType.Bool;
            case FieldTypeDatetime:
                return PayloadSchemaType.Datetime;
            case FieldTypeUuid:
                return PayloadSchemaType.Uuid;
            default:
                throw QdrantErrors.invalidArgument("cannot convert field_type");
        }
    }

    private static boolean paramsMatch(PayloadSchemaType type, PayloadIndexParams.IndexParamsCase params) {
        switch (params) {
            case KEYWORD_INDEX_PARAMS:
                return type == PayloadSchemaType.Keyword;
            case INTEGER_INDEX_PARAMS:
                return type == PayloadSchemaType.Integer;
            case FLOAT_INDEX_PARAMS:
                return type == PayloadSchemaType.Float;
            case GEO_INDEX_PARAMS:
                return type == PayloadSchemaType.Geo;
            case TEXT_INDEX_PARAMS:
                return type == PayloadSchemaType.Text;
            case BOOL_INDEX_PARAMS:
                return type == PayloadSchemaType.Bool;
            case DATETIME_INDEX_PARAMS:
                return type == PayloadSchemaType.Datetime;
            case UUID_INDEX_PARAMS:
                return type == PayloadSchemaType.Uuid;
            default:
                return false;
        }
    }

    @Override
    public void deleteFieldIndex(DeleteFieldIndexCollection request, StreamObserver<PointsOperationResponse> observer) {
        Rpc.respond(observer, "Points/DeleteFieldIndex", () -> {
            long start = System.nanoTime();
            List<String> errors = new ArrayList<>();
            Rpc.addCollectionNameErrors(errors, request.getCollectionName(), false);
            if (request.getFieldName().isEmpty()) {
                errors.add("field_name: value \"\" invalid, must be at least 1 characters");
            }
            Rpc.throwIfAny(errors);
            JsonPath path = JsonPath.parse(request.getFieldName());
            return operationResponse(run(request.getCollectionName(), request.getWait(), c -> c.deleteIndex(path)),
                    start);
        });
    }

    @Override
    public void updateBatch(UpdateBatchPoints request, StreamObserver<UpdateBatchResponse> observer) {
        Rpc.respond(observer, "Points/UpdateBatch", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            // Qdrant converts every operation before running the first one.
            List<Update> updates = new ArrayList<>();
            for (PointsUpdateOperation op : request.getOperationsList()) {
                updates.add(batchOperation(op));
            }
            UpdateBatchResponse.Builder response = UpdateBatchResponse.newBuilder();
            for (Update update : updates) {
                response.addResult(run(request.getCollectionName(), request.getWait(), update));
            }
            return response.setTime(Rpc.secondsSince(start)).build();
        });
    }

    // Older clients still send the deprecated delete / clear-payload variants.
    @SuppressWarnings("deprecation")
    private static Update batchOperation(PointsUpdateOperation op) {
        switch (op.getOperationCase()) {
            case UPSERT: {
                PointsUpdateOperation.PointStructList upsert = op.getUpsert();
                rejectShardKeys(upsert.hasShardKeySelector());
                return upsertOf(upsert.getPointsList(), upsert.hasUpdateFilter(), upsert.getUpdateFilter(),
                        upsert.hasUpdateMode() ? upsert.getUpdateMode() : UpdateMode.Upsert);
            }
            case DELETE_POINTS:
                rejectShardKeys(op.getDeletePoints().hasShardKeySelector());
                return deleteOf(op.getDeletePoints().getPoints());
            case DELETE_DEPRECATED:
                return deleteOf(op.getDeleteDeprecated());
            case SET_PAYLOAD: {
                PointsUpdateOperation.SetPayload set = op.getSetPayload();
                rejectShardKeys(set.hasShardKeySelector());
                return setPayloadOf(set.getPayloadMap(), set.hasPointsSelector(), set.getPointsSelector(),
                        set.hasKey(), false);
            }
            case OVERWRITE_PAYLOAD: {
                PointsUpdateOperation.OverwritePayload set = op.getOverwritePayload();
                rejectShardKeys(set.hasShardKeySelector());
                return setPayloadOf(set.getPayloadMap(), set.hasPointsSelector(), set.getPointsSelector(),
                        false, true);
            }
            case DELETE_PAYLOAD: {
                PointsUpdateOperation.DeletePayload delete = op.getDeletePayload();
                rejectShardKeys(delete.hasShardKeySelector());
                return deletePayloadOf(delete.getKeysList(), delete.hasPointsSelector(), delete.getPointsSelector());
            }
            case CLEAR_PAYLOAD:
                rejectShardKeys(op.getClearPayload().hasShardKeySelector());
                return clearPayloadOf(op.getClearPayload().getPoints());
            case CLEAR_PAYLOAD_DEPRECATED:
                return clearPayloadOf(op.getClearPayloadDeprecated());
            case UPDATE_VECTORS:
            case DELETE_VECTORS:
                throw QdrantErrors.unsupported("UpdateBatch operation " + op.getOperationCase());
            default:
                throw QdrantErrors.invalidArgument("Operation is missing");
        }
    }

    /** Resolves the collection and applies one update with Qdrant's wait semantics. */
    private UpdateResult run(String collectionName, boolean wait, Update update) {
        LocalCollection collection = store.resolve(collectionName);
        long operationId;
        try {
            operationId = update.apply(collection);
        } catch (LocalCollection.ApplyFailure failure) {
            if (wait) {
                throw failure.status;
            }
            LOG.warn("Update {} on collection {} failed while being applied and was acknowledged without "
                    + "effect (wait=false): {}", failure.operationId, collection.name(), failure.status.getMessage());
            operationId = failure.operationId;
        }
        return UpdateResult.newBuilder()
                .setOperationId(operationId)
                .setStatus(wait ? UpdateStatus.Completed : UpdateStatus.Acknowledged)
                .build();
    }

    private static PointsOperationResponse operationResponse(UpdateResult result, long start) {
        return PointsOperationResponse.newBuilder().setResult(result).setTime(Rpc.secondsSince(start)).build();
    }

    /** A points selector: either an id list (request order kept) or a filter. */
    private static final class Selected {
        final List<PointKey> ids;
        final PayloadFilter filter;

        Selected(List<PointKey> ids, PayloadFilter filter) {
            this.ids = ids;
            this.filter = filter;
        }
    }

    private static Selected select(PointsSelector selector) {
        switch (selector.getPointsSelectorOneOfCase()) {
            case POINTS:
                return new Selected(keys(selector.getPoints().getIdsList()), null);
            case FILTER:
                return new Selected(null, PayloadFilter.of(true, selector.getFilter()));
            default:
                throw QdrantErrors.invalidArgument("Malformed PointsSelector type");
        }
    }

    private static List<PointKey> keys(List<PointId> ids) {
        List<PointKey> out = new ArrayList<>(ids.size());
        for (PointId id : ids) {
            out.add(PointKey.fromProto(id));
        }
        return out;
    }

    private static void rejectShardKeys(boolean hasShardKeySelector) {
        if (hasShardKeySelector) {
            throw QdrantErrors.unsupported("shard keys (shard_key_selector)");
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public void get(GetPoints request, StreamObserver<GetResponse> observer) {
        Rpc.respond(observer, "Points/Get", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            rejectShardKeys(request.hasShardKeySelector());
            List<PointKey> ids = keys(request.getIdsList());
            PayloadValues.Selection payload = PayloadValues.Selection.of(request.hasWithPayload(),
                    request.getWithPayload(), PayloadValues.Selection.NONE);
            LocalCollection.VectorSelection vectors = vectorSelection(request.hasWithVectors(),
                    request.getWithVectors());
            LocalCollection collection = store.resolve(request.getCollectionName());
            return GetResponse.newBuilder()
                    .addAllResult(collection.get(ids, payload, vectors))
                    .setTime(Rpc.secondsSince(start))
                    .build();
        });
    }

    private static LocalCollection.VectorSelection vectorSelection(boolean present, WithVectorsSelector selector) {
        if (!present) {
            return LocalCollection.VectorSelection.NONE;
        }
        switch (selector.getSelectorOptionsCase()) {
            case ENABLE:
                return selector.getEnable() ? LocalCollection.VectorSelection.ALL : LocalCollection.VectorSelection.NONE;
            case INCLUDE:
                return new LocalCollection.VectorSelection(true, Set.copyOf(selector.getInclude().getNamesList()));
            default:
                return LocalCollection.VectorSelection.NONE;
        }
    }

    @Override
    public void count(CountPoints request, StreamObserver<CountResponse> observer) {
        Rpc.respond(observer, "Points/Count", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            rejectShardKeys(request.hasShardKeySelector());
            PayloadFilter filter = PayloadFilter.of(request.hasFilter(), request.getFilter());
            // An approximate count may be exact, so `exact=false` is answered exactly too.
            long count = store.resolve(request.getCollectionName()).count(filter);
            return CountResponse.newBuilder()
                    .setResult(CountResult.newBuilder().setCount(count))
                    .setTime(Rpc.secondsSince(start))
                    .build();
        });
    }

    @Override
    public void scroll(ScrollPoints request, StreamObserver<ScrollResponse> observer) {
        Rpc.respond(observer, "Points/Scroll", () -> {
            long start = System.nanoTime();
            List<String> errors = new ArrayList<>();
            Rpc.addCollectionNameErrors(errors, request.getCollectionName(), false);
            Rpc.addAtLeastOneError(errors, "limit", request.hasLimit(), Integer.toUnsignedLong(request.getLimit()));
            Rpc.throwIfAny(errors);
            rejectShardKeys(request.hasShardKeySelector());
            if (request.hasOrderBy()) {
                throw QdrantErrors.unsupported("Scroll with order_by");
            }
            PointKey offset = request.hasOffset() ? PointKey.fromProto(request.getOffset()) : null;
            PayloadFilter filter = PayloadFilter.of(request.hasFilter(), request.getFilter());
            PayloadValues.Selection payload = PayloadValues.Selection.of(request.hasWithPayload(),
                    request.getWithPayload(), PayloadValues.Selection.ALL);
            LocalCollection.VectorSelection vectors = vectorSelection(request.hasWithVectors(),
                    request.getWithVectors());
            long limit = request.hasLimit() ? Integer.toUnsignedLong(request.getLimit()) : DEFAULT_SCROLL_LIMIT;
            int limitPlusOne = (int) Math.min(Integer.MAX_VALUE, limit + 1);

            LocalCollection collection = store.resolve(request.getCollectionName());
            List<LocalCollection.StoredPoint> page = collection.scroll(filter, offset, limitPlusOne);
            ScrollResponse.Builder response = ScrollResponse.newBuilder();
            if (page.size() > limit) {
                response.setNextPageOffset(page.remove(page.size() - 1).id.toProto());
            }
            for (LocalCollection.StoredPoint p : page) {
                response.addResult(collection.retrieved(p, payload, vectors));
            }
            return response.setTime(Rpc.secondsSince(start)).build();
        });
    }

    @Override
    public void search(SearchPoints request, StreamObserver<SearchResponse> observer) {
        Rpc.respond(observer, "Points/Search", () -> {
            long start = System.nanoTime();
            List<ScoredPoint> result = searchOne(request.getCollectionName(), request);
            return SearchResponse.newBuilder().addAllResult(result).setTime(Rpc.secondsSince(start)).build();
        });
    }

    @Override
    public void searchBatch(SearchBatchPoints request, StreamObserver<SearchBatchResponse> observer) {
        Rpc.respond(observer, "Points/SearchBatch", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            SearchBatchResponse.Builder response = SearchBatchResponse.newBuilder();
            for (SearchPoints search : request.getSearchPointsList()) {
                response.addResult(BatchResult.newBuilder()
                        .addAllResult(searchOne(request.getCollectionName(), search)));
            }
            return response.setTime(Rpc.secondsSince(start)).build();
        });
    }

    private List<ScoredPoint> searchOne(String collectionName, SearchPoints request) {
        List<String> errors = new ArrayList<>();
        Rpc.addCollectionNameErrors(errors, request.getCollectionName(), false);
        Rpc.addAtLeastOneError(errors, "limit", true, request.getLimit());
        Rpc.addAtLeastOneError(errors, "timeout", request.hasTimeout(), request.getTimeout());
        Rpc.addAtLeastOneError(errors, "params.hnsw_ef", request.getParams().hasHnswEf(),
                request.getParams().getHnswEf());
        Rpc.throwIfAny(errors);
        rejectShardKeys(request.hasShardKeySelector());
        if (request.hasSparseIndices()) {
            throw QdrantErrors.unsupported("sparse vector search (sparse_indices)");
        }
        float[] vector = new float[request.getVectorCount()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = request.getVector(i);
        }
        String using = request.hasVectorName() ? request.getVectorName() : LocalCollection.DEFAULT_VECTOR;
        PayloadFilter filter = PayloadFilter.of(request.hasFilter(), request.getFilter());
        PayloadValues.Selection payload = PayloadValues.Selection.of(request.hasWithPayload(),
                request.getWithPayload(), PayloadValues.Selection.NONE);
        LocalCollection.VectorSelection vectors = vectorSelection(request.hasWithVectors(), request.getWithVectors());
        Float threshold = request.hasScoreThreshold() ? request.getScoreThreshold() : null;

        LocalCollection collection = store.resolve(collectionName);
        List<ScoredPoint> out = new ArrayList<>();
        for (LocalCollection.Hit hit : collection.search(using, vector, filter, Set.of(), threshold,
                clampToInt(request.getOffset()), clampToInt(request.getLimit()))) {
            out.add(collection.scored(hit.point, hit.score, payload, vectors));
        }
        return out;
    }

    @Override
    public void query(QueryPoints request, StreamObserver<QueryResponse> observer) {
        Rpc.respond(observer, "Points/Query", () -> {
            long start = System.nanoTime();
            List<ScoredPoint> result = queryOne(request.getCollectionName(), request);
            return QueryResponse.newBuilder().addAllResult(result).setTime(Rpc.secondsSince(start)).build();
        });
    }

    @Override
    public void queryBatch(QueryBatchPoints request, StreamObserver<QueryBatchResponse> observer) {
        Rpc.respond(observer, "Points/QueryBatch", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            QueryBatchResponse.Builder response = QueryBatchResponse.newBuilder();
            for (QueryPoints query : request.getQueryPointsList()) {
                response.addResult(BatchResult.newBuilder().addAllResult(queryOne(request.getCollectionName(), query)));
            }
            return response.setTime(Rpc.secondsSince(start)).build();
        });
    }

    private List<ScoredPoint> queryOne(String collectionName, QueryPoints request) {
        List<String> errors = new ArrayList<>();
        Rpc.addCollectionNameErrors(errors, request.getCollectionName(), false);
        Rpc.addAtLeastOneError(errors, "limit", request.hasLimit(), request.getLimit());
        Rpc.addAtLeastOneError(errors, "timeout", request.hasTimeout(), request.getTimeout());
        Rpc.addAtLeastOneError(errors, "params.hnsw_ef", request.getParams().hasHnswEf(),
                request.getParams().getHnswEf());
        Rpc.throwIfAny(errors);
        rejectShardKeys(request.hasShardKeySelector());
        if (request.getPrefetchCount() > 0) {
            throw QdrantErrors.unsupported("Query with prefetch");
        }
        if (request.hasLookupFrom()) {
            throw QdrantErrors.unsupported("Query with lookup_from");
        }
        float[] dense = null;
        PointKey referenced = null;
        if (request.hasQuery()) {
            Query query = request.getQuery();
            switch (query.getVariantCase()) {
                case NEAREST:
                    VectorInput input = query.getNearest();
                    switch (input.getVariantCase()) {
                        case DENSE: {
                            List<Float> data = input.getDense().getDataList();
                            dense = new float[data.size()];
                            for (int i = 0; i < dense.length; i++) {
                                dense[i] = data.get(i);
                            }
                            break;
                        }
                        case ID:
                            referenced = PointKey.fromProto(input.getId());
                            break;
                        case VARIANT_NOT_SET:
                            throw QdrantErrors.invalidArgument("VectorInput variant is missing");
                        default:
                            throw QdrantErrors.unsupported("nearest queries with a " + input.getVariantCase()
                                    + " input (only dense vectors and point ids)");
                    }
                    break;
                case VARIANT_NOT_SET:
                    throw QdrantErrors.invalidArgument("Query variant is missing");
                default:
                    throw QdrantErrors.unsupported("Query variant " + query.getVariantCase() + " (only nearest)");
            }
        }
        String using = request.hasUsing() ? request.getUsing() : LocalCollection.DEFAULT_VECTOR;
        PayloadFilter filter = PayloadFilter.of(request.hasFilter(), request.getFilter());
        PayloadValues.Selection payload = PayloadValues.Selection.of(request.hasWithPayload(),
                request.getWithPayload(), PayloadValues.Selection.NONE);
        LocalCollection.VectorSelection vectors = vectorSelection(request.hasWithVectors(), request.getWithVectors());
        int limit = request.hasLimit() ? clampToInt(request.getLimit()) : DEFAULT_QUERY_LIMIT;
        int offset = request.hasOffset() ? clampToInt(request.getOffset()) : 0;
        if (!request.hasQuery() && request.hasScoreThreshold()) {
            throw QdrantErrors.badRequest("A query is needed to use the score_threshold. Can't have score_threshold "
                    + "without defining a query.");
        }

        LocalCollection collection = store.resolve(collectionName);
        List<ScoredPoint> out = new ArrayList<>();
        if (!request.hasQuery()) {
            // Without a query Qdrant pages through the points by id and scores each 1.0.
            List<LocalCollection.StoredPoint> points = collection.scroll(filter, null,
                    (int) Math.min(Integer.MAX_VALUE, (long) offset + limit));
            for (LocalCollection.StoredPoint p : points.subList(Math.min(offset, points.size()), points.size())) {
                out.add(collection.scored(p, 1.0f, payload, vectors));
            }
            return out;
        }
        Set<PointKey> excluded = new LinkedHashSet<>();
        if (referenced != null) {
            collection.space(using);
            dense = collection.storedVector(referenced, using);
            excluded.add(referenced);
        }
        Float threshold = request.hasScoreThreshold() ? request.getScoreThreshold() : null;
        for (LocalCollection.Hit hit : collection.search(using, dense, filter, excluded, threshold, offset, limit)) {
            out.add(collection.scored(hit.point, hit.score, payload, vectors));
        }
        return out;
    }

    private static int clampToInt(long unsigned) {
        return unsigned < 0 || unsigned > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) unsigned;
    }
}
