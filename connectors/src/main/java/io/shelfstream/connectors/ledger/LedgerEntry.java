package io.shelfstream.connectors.ledger;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import io.shelfstream.schemas.PointIds;

/**
 * One change of the embedding ledger: an entity was embedded into a Qdrant point ({@link #upsert}), or its point was
 * removed ({@link #removal}).
 *
 * <p>The ledger keeps one row per entity, keyed by {@code (entityType, entityId)}, whose point id is
 * {@link PointIds#of deterministic}: an upsert inserts or replaces the
 * entity's row, a removal deletes it (and is a no-op if there is none). A removal carries only the key; its other
 * fields are null. {@code entityType} is {@code book} or {@code student}; {@code sourcePosition} is the Kafka
 * position {@code topic/partition/offset} of the event that caused the change, or {@code backfill}.
 *
 * @param entityType     {@code book} or {@code student}
 * @param entityId       the catalog id of the entity (null for a {@link #removalOfPoint removal by point id})
 * @param removal        whether this change removes the entity's row
 * @param pointId        the Qdrant point id, {@link PointIds#of} of the entity
 * @param collection     the Qdrant collection the point was written to (null for a removal)
 * @param contentHash    hash of the embedded text (null for a removal)
 * @param modelId        the model that made the vector (null for a removal)
 * @param sourceEventId  the event (or backfill run) that caused the embedding (null for a removal)
 * @param sourcePosition {@code topic/partition/offset} or {@code backfill} (null for a removal)
 * @param embeddedAt     when the vector was made (null for a removal)
 */
public record LedgerEntry(
        String entityType,
        String entityId,
        boolean removal,
        UUID pointId,
        String collection,
        String contentHash,
        String modelId,
        String sourceEventId,
        String sourcePosition,
        Instant embeddedAt) implements Serializable {

    /** Entity type of books. */
    public static final String BOOK = "book";
    /** Entity type of students. */
    public static final String STUDENT = "student";
    /** The source position of changes made by a catalog backfill. */
    public static final String BACKFILL = "backfill";

    private static final long serialVersionUID = 1L;

    /** Validates the fields: the key always, the rest for upserts. */
    public LedgerEntry {
        if (!BOOK.equals(entityType) && !STUDENT.equals(entityType)) {
            throw new IllegalArgumentException("Ledger entity type must be 'book' or 'student', got '" + entityType
                    + "'");
        }
        Objects.requireNonNull(pointId, "pointId");
        if (!removal) {
            requireText("entityId", entityId);
            requireText("collection", collection);
            requireText("contentHash", contentHash);
            requireText("modelId", modelId);
            requireText("sourceEventId", sourceEventId);
            requireText("sourcePosition", sourcePosition);
            Objects.requireNonNull(embeddedAt, "embeddedAt");
        }
    }

    /** The entity was embedded into {@code pointId} of {@code collection}. */
    public static LedgerEntry upsert(String entityType, String entityId, UUID pointId, String collection,
            String contentHash, String modelId, String sourceEventId, String sourcePosition, Instant embeddedAt) {
        return new LedgerEntry(entityType, entityId, false, pointId, collection, contentHash, modelId, sourceEventId,
                sourcePosition, embeddedAt);
    }

    /** The entity's point was removed: its ledger row goes. */
    public static LedgerEntry removal(String entityType, String entityId) {
        requireText("entityId", entityId);
        return new LedgerEntry(entityType, entityId, true, PointIds.of(entityType, entityId), null, null, null, null,
                null, null);
    }

    /**
     * The point {@code pointId} was removed: the row of its entity goes. For a writer that knows the point but not
     * the entity id (a delete of a Qdrant point carries only its id); {@link #entityId()} is null.
     */
    public static LedgerEntry removalOfPoint(String entityType, UUID pointId) {
        return new LedgerEntry(entityType, null, true, pointId, null, null, null, null, null, null);
    }

    /** The Kafka position {@code topic/partition/offset}, as {@link #sourcePosition()} expects it. */
    public static String kafkaPosition(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }

    /** The point id as text: one per entity, the key to partition a stream of ledger changes by. */
    public String key() {
        return pointId.toString();
    }

    private static void requireText(String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("Ledger field " + field + " must not be empty");
        }
    }
}
