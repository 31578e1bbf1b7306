package io.shelfstream.connectors.qdrant.internal;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Status;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.shelfstream.connectors.qdrant.PayloadIndexType;

/**
 * Makes sure the sink's collections exist with the expected vector and payload indexes, before anything is written.
 *
 * <p>A missing collection is created with one named dense vector (the sink's size, Cosine); an existing one is
 * never dropped, recreated or reconfigured: if its vector has another size or distance, or no vector of the sink's
 * name, setup fails with a message that says what to do. Missing payload indexes are added (Qdrant builds them over
 * the existing points); an index of another type is left alone with a warning. Many subtasks may run this at once:
 * a collection another subtask created first counts as existing.
 *
 * <p>A configured name may be an alias: Qdrant's CollectionExists, collection info, payload index creation and
 * point writes all resolve aliases, so the alias's current target is checked and written, and no collection of
 * the alias's name is ever created (Qdrant would refuse it: a name cannot be both an alias and a collection).
 * Indexes are added to the target the alias had at setup; after an alias switch, the new collection is expected
 * to have been prepared with its indexes (e.g. by a sink that wrote to it by its own name).
 */
public final class CollectionSetup {

    private static final Logger LOG = LoggerFactory.getLogger(CollectionSetup.class);

    private CollectionSetup() {
    }

    /**
     * Ensures every collection of {@code settings}.
     *
     * @throws QdrantRequestException if Qdrant failed (transient errors after the retries)
     * @throws IllegalStateException if an existing collection does not fit the sink
     */
    public static void ensure(SinkSettings settings, QdrantGateway gateway, Retrier retrier)
            throws QdrantRequestException, InterruptedException {
        for (Map.Entry<String, Map<String, PayloadIndexType>> c : settings.collections().entrySet()) {
            ensure(settings, c.getKey(), c.getValue(), gateway, retrier);
        }
    }

    private static void ensure(SinkSettings settings, String name, Map<String, PayloadIndexType> indexes,
            QdrantGateway gateway, Retrier retrier) throws QdrantRequestException, InterruptedException {
        boolean exists = retrier.call("checking Qdrant collection '" + name + "'",
                () -> gateway.collectionExists(name));
        if (!exists) {
            try {
                retrier.call("creating Qdrant collection '" + name + "'", () -> {
                    gateway.createCollection(name, settings.vectorName(), settings.vectorSize());
                    return null;
                });
                LOG.info("Created Qdrant collection {} (vector '{}', {} dimensions, Cosine)", name,
                        settings.vectorName(), settings.vectorSize());
            } catch (QdrantRequestException e) {
                // Another subtask, or an earlier attempt whose reply was lost, created it first (ALREADY_EXISTS);
                // or an alias of this name appeared since the check (INVALID_ARGUMENT "Alias with the same name
                // already exists"): either way the name now resolves, and writing through it is what is wanted.
                if (e.code() != Status.Code.ALREADY_EXISTS && !retrier.call(
                        "checking Qdrant collection '" + name + "'", () -> gateway.collectionExists(name))) {
                    throw e;
                }
            }
        }
        CollectionInfo info = retrier.call("reading Qdrant collection '" + name + "'",
                () -> gateway.collectionInfo(name));
        checkVector(settings, name, info.getConfig().getParams().getVectorsConfig());
        for (Map.Entry<String, PayloadIndexType> index : indexes.entrySet()) {
            String field = index.getKey();
            PayloadSchemaInfo existing = info.getPayloadSchemaMap().get(field);
            if (existing == null) {
                retrier.call("creating payload index '" + field + "' in Qdrant collection '" + name + "'", () -> {
                    gateway.createPayloadIndex(name, field, index.getValue().schemaType());
                    return null;
                });
                LOG.info("Created {} payload index {} in Qdrant collection {}", index.getValue(), field, name);
            } else if (existing.getDataType() != index.getValue().schemaType()) {
                LOG.warn("Qdrant collection {} indexes payload field {} as {}, the sink was configured with {}; "
                        + "the existing index is kept", name, field, existing.getDataType(), index.getValue());
            }
        }
    }

    private static void checkVector(SinkSettings settings, String name, VectorsConfig config) {
        String vectorName = settings.vectorName();
        if (!config.hasParamsMap()) {
            throw new IllegalStateException("Qdrant collection '" + name + "' has a single unnamed vector, but the "
                    + "sink writes the named vector '" + vectorName + "'. Write to a new collection (and switch an "
                    + "alias to it) instead of reusing this one.");
        }
        VectorParams existing = config.getParamsMap().getMapMap().get(vectorName);
        if (existing == null) {
            throw new IllegalStateException("Qdrant collection '" + name + "' has no vector named '" + vectorName
                    + "' (it has " + config.getParamsMap().getMapMap().keySet() + "). Use another collection, or "
                    + "set the sink's vector name (setVectorName) to one of those.");
        }
        if (existing.getSize() != settings.vectorSize() || existing.getDistance() != Distance.Cosine) {
            throw new IllegalStateException("Qdrant collection '" + name + "' has vector '" + vectorName + "' of "
                    + existing.getSize() + " dimensions with " + existing.getDistance() + " distance, but the sink "
                    + "writes " + settings.vectorSize() + " dimensions with Cosine. The sink never recreates a "
                    + "collection: write to a new collection (and switch an alias to it), or fix setVectorSize.");
        }
    }
}
