package io.shelfstream.connectors.local.qdrant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.ChangeAliases;
import io.qdrant.client.grpc.Collections.CollectionDescription;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Datatype;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.ListAliasesRequest;
import io.qdrant.client.grpc.Collections.ListAliasesResponse;
import io.qdrant.client.grpc.Collections.ListCollectionAliasesRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsResponse;
import io.qdrant.client.grpc.Collections.ShardingMethod;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.CollectionsGrpc;

/**
 * Qdrant's {@code qdrant.Collections} service over a {@link QdrantStore}.
 *
 * <p>Implements Get, List, Create, Delete, CollectionExists, UpdateAliases, ListAliases and
 * ListCollectionAliases; every other method answers UNIMPLEMENTED.
 */
final class CollectionsService extends CollectionsGrpc.CollectionsImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(CollectionsService.class);

    private final QdrantStore store;

    CollectionsService(QdrantStore store) {
        this.store = store;
    }

    @Override
    public void create(CreateCollection request, StreamObserver<CollectionOperationResponse> observer) {
        Rpc.respond(observer, "Collections/Create", () -> {
            long start = System.nanoTime();
            LocalCollection collection = define(request);
            store.create(collection);
            LOG.info("Created collection {}", collection);
            return operationResponse(true, start);
        });
    }

    /** Validates a create request and turns it into an empty collection, without registering it. */
    static LocalCollection define(CreateCollection request) {
        List<String> errors = new ArrayList<>();
        Rpc.addCollectionNameErrors(errors, request.getCollectionName(), true);
        Rpc.addAtLeastOneError(errors, "shard_number", request.hasShardNumber(), request.getShardNumber());
        Rpc.addAtLeastOneError(errors, "replication_factor", request.hasReplicationFactor(),
                request.getReplicationFactor());
        Rpc.addAtLeastOneError(errors, "write_consistency_factor", request.hasWriteConsistencyFactor(),
                request.getWriteConsistencyFactor());
        VectorsConfig vectors = request.getVectorsConfig();
        switch (vectors.getConfigCase()) {
            case PARAMS:
                addSizeErrors(errors, "vectors_config.params.size", vectors.getParams());
                break;
            case PARAMS_MAP:
                for (Map.Entry<String, VectorParams> e : vectors.getParamsMap().getMapMap().entrySet()) {
                    String field = "vectors_config.params_map.map[" + e.getKey() + "]";
                    Rpc.addVectorNameErrors(errors, field, e.getKey());
                    addSizeErrors(errors, field + ".size", e.getValue());
                }
                break;
            default:
                break;
        }
        Rpc.throwIfAny(errors);

        Map<String, LocalCollection.VectorSpace> spaces = new LinkedHashMap<>();
        boolean unnamed = vectors.getConfigCase() == VectorsConfig.ConfigCase.PARAMS;
        if (unnamed) {
            spaces.put(LocalCollection.DEFAULT_VECTOR, space(vectors.getParams()));
        } else if (vectors.getConfigCase() == VectorsConfig.ConfigCase.PARAMS_MAP) {
            for (Map.Entry<String, VectorParams> e : new java.util.TreeMap<>(vectors.getParamsMap().getMapMap())
                    .entrySet()) {
                spaces.put(e.getKey(), space(e.getValue()));
            }
        }
        if (request.hasSparseVectorsConfig() && request.getSparseVectorsConfig().getMapCount() > 0) {
            throw QdrantErrors.unsupported("sparse vectors (sparse_vectors_config)");
        }
        if (request.hasShardingMethod() && request.getShardingMethod() == ShardingMethod.Custom) {
            throw QdrantErrors.unsupported("custom sharding (sharding_method Custom)");
        }
        if (request.hasStrictModeConfig() && request.getStrictModeConfig().getEnabled()) {
            throw QdrantErrors.unsupported("strict mode (strict_mode_config.enabled = true)");
        }
        return new LocalCollection(request.getCollectionName(), request, unnamed, spaces);
    }

    private static void addSizeErrors(List<String> errors, String field, VectorParams params) {
        long size = params.getSize();
        if (size < 1 || size > 65536) {
            errors.add(field + ": value " + Long.toUnsignedString(size) + " invalid, must be from 1 to 65536");
        }
    }

    private static LocalCollection.VectorSpace space(VectorParams params) {
        Distance distance = params.getDistance();
        if (distance == Distance.UNRECOGNIZED) {
            throw QdrantErrors.invalidArgument(
                    "Malformed distance parameter, unexpected value: " + params.getDistanceValue());
        }
        if (distance == Distance.UnknownDistance) {
            throw QdrantErrors.invalidArgument("Malformed distance parameter: UnknownDistance");
        }
        if (params.hasMultivectorConfig()) {
            throw QdrantErrors.unsupported("multi-vectors (multivector_config)");
        }
        if (params.hasDatatype() && params.getDatatype() != Datatype.Default && params.getDatatype() != Datatype.Float32) {
            throw QdrantErrors.unsupported("vector datatype " + params.getDatatype() + " (only Float32)");
        }
        return new LocalCollection.VectorSpace((int) params.getSize(), distance);
    }

    @Override
    public void get(GetCollectionInfoRequest request, StreamObserver<GetCollectionInfoResponse> observer) {
        Rpc.respond(observer, "Collections/Get", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            return GetCollectionInfoResponse.newBuilder()
                    .setResult(store.resolve(request.getCollectionName()).info())
                    .setTime(Rpc.secondsSince(start))
                    .build();
        });
    }

    @Override
    public void list(ListCollectionsRequest request, StreamObserver<ListCollectionsResponse> observer) {
        Rpc.respond(observer, "Collections/List", () -> {
            long start = System.nanoTime();
            ListCollectionsResponse.Builder response = ListCollectionsResponse.newBuilder();
            for (String name : store.collectionNames()) {
                response.addCollections(CollectionDescription.newBuilder().setName(name));
            }
            return response.setTime(Rpc.secondsSince(start)).build();
        });
    }

    @Override
    public void delete(DeleteCollection request, StreamObserver<CollectionOperationResponse> observer) {
        Rpc.respond(observer, "Collections/Delete", () -> {
            long start = System.nanoTime();
            List<String> errors = new ArrayList<>();
            Rpc.addCollectionNameErrors(errors, request.getCollectionName(), false);
            Rpc.addAtLeastOneError(errors, "timeout", request.hasTimeout(), request.getTimeout());
            Rpc.throwIfAny(errors);
            boolean deleted = store.delete(request.getCollectionName());
            if (deleted) {
                LOG.info("Deleted collection {}", request.getCollectionName());
            }
            return operationResponse(deleted, start);
        });
    }

    @Override
    public void collectionExists(CollectionExistsRequest request, StreamObserver<CollectionExistsResponse> observer) {
        Rpc.respond(observer, "Collections/CollectionExists", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            return CollectionExistsResponse.newBuilder()
                    .setResult(CollectionExists.newBuilder().setExists(store.exists(request.getCollectionName())))
                    .setTime(Rpc.secondsSince(start))
                    .build();
        });
    }

    @Override
    public void updateAliases(ChangeAliases request, StreamObserver<CollectionOperationResponse> observer) {
        Rpc.respond(observer, "Collections/UpdateAliases", () -> {
            long start = System.nanoTime();
            List<String> errors = new ArrayList<>();
            Rpc.addAtLeastOneError(errors, "timeout", request.hasTimeout(), request.getTimeout());
            Rpc.throwIfAny(errors);
            store.updateAliases(request.getActionsList());
            return operationResponse(true, start);
        });
    }

    @Override
    public void listCollectionAliases(ListCollectionAliasesRequest request,
            StreamObserver<ListAliasesResponse> observer) {
        Rpc.respond(observer, "Collections/ListCollectionAliases", () -> {
            long start = System.nanoTime();
            Rpc.checkCollectionName(request.getCollectionName());
            return ListAliasesResponse.newBuilder()
                    .addAllAliases(store.aliasesOf(request.getCollectionName()))
                    .setTime(Rpc.secondsSince(start))
                    .build();
        });
    }

    @Override
    public void listAliases(ListAliasesRequest request, StreamObserver<ListAliasesResponse> observer) {
        Rpc.respond(observer, "Collections/ListAliases", () -> {
            long start = System.nanoTime();
            return ListAliasesResponse.newBuilder()
                    .addAllAliases(store.listAliases())
                    .setTime(Rpc.secondsSince(start))
                    .build();
        });
    }

    private static CollectionOperationResponse operationResponse(boolean result, long start) {
        return CollectionOperationResponse.newBuilder().setResult(result).setTime(Rpc.secondsSince(start)).build();
    }
}
