package io.shelfstream.connectors.qdrant.internal;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.flink.connector.base.DeliveryGuarantee;

import io.shelfstream.connectors.qdrant.PayloadIndexType;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;

/**
 * The validated, immutable options of one {@code QdrantSink}, shipped to its writers and committers.
 *
 * @param endpoint          where Qdrant's gRPC API is
 * @param vectorName        the named dense vector of every collection
 * @param vectorSize        its dimension
 * @param collections       collection name to its payload indexes (field to type), in the order they were added
 * @param maxBatchPoints    points per request
 * @param maxBatchBytes     estimated protobuf bytes per request
 * @param maxBufferedBytes  estimated bytes of point changes a writer may hold between two checkpoints
 * @param retryPolicy       retries of transient errors
 * @param requestTimeout    deadline of one request
 * @param deliveryGuarantee EXACTLY_ONCE, AT_LEAST_ONCE or NONE
 */
public record SinkSettings(
        QdrantEndpoint endpoint,
        String vectorName,
        int vectorSize,
        Map<String, Map<String, PayloadIndexType>> collections,
        int maxBatchPoints,
        long maxBatchBytes,
        long maxBufferedBytes,
        RetryPolicy retryPolicy,
        Duration requestTimeout,
        DeliveryGuarantee deliveryGuarantee) implements Serializable {

    public SinkSettings {
        Map<String, Map<String, PayloadIndexType>> copy = new LinkedHashMap<>();
        collections.forEach((name, fields) -> copy.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(fields))));
        collections = Collections.unmodifiableMap(copy);
    }

    /** Whether writes reach Qdrant only through committables applied after a checkpoint completes. */
    public boolean isExactlyOnce() {
        return deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE;
    }
}
