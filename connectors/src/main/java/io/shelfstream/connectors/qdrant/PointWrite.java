package io.shelfstream.connectors.qdrant;

import java.util.Objects;
import java.util.UUID;

/**
 * One change to a Qdrant point: a whole-point upsert (vector and payload) or a delete.
 *
 * <p>Whole-point writes with deterministic ids are what make replays idempotent: applying the same
 * {@code PointWrite} twice leaves Qdrant as applying it once. The payload travels as a JSON object string so
 * the record serialises without Kryo.
 *
 * @param collection  target collection (or alias)
 * @param pointId     point id (a UUID string)
 * @param delete      true for a delete, false for an upsert
 * @param vector      the dense vector for an upsert, {@code null} for a delete
 * @param payloadJson the payload as a JSON object for an upsert, {@code null} for a delete
 */
public record PointWrite(String collection, String pointId, boolean delete, float[] vector, String payloadJson) {

    public PointWrite {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(pointId, "pointId");
        if (!delete && (vector == null || payloadJson == null)) {
            throw new IllegalArgumentException("an upsert needs a vector and a payload: point " + pointId);
        }
    }

    /** An upsert of a whole point. */
    public static PointWrite upsert(String collection, UUID pointId, float[] vector, String payloadJson) {
        return new PointWrite(collection, pointId.toString(), false, vector, payloadJson);
    }

    /** A delete of a point. */
    public static PointWrite delete(String collection, UUID pointId) {
        return new PointWrite(collection, pointId.toString(), true, null, null);
    }
}
