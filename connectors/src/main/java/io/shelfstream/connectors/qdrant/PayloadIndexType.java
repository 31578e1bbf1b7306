package io.shelfstream.connectors.qdrant;

import io.qdrant.client.grpc.Collections.PayloadSchemaType;

/**
 * The type of a payload index the sink creates for a filter field of a collection.
 *
 * <p>Pick the type of the values the field holds: {@link #KEYWORD} for strings and lists of strings (the default of
 * {@link QdrantSink.Builder#addCollection(String, java.util.List)}), {@link #INTEGER} and {@link #FLOAT} for numbers
 * filtered by match or range, {@link #BOOL} for flags. A value of another type is stored but not indexed.
 */
public enum PayloadIndexType {
    /** Exact match on strings. */
    KEYWORD(PayloadSchemaType.Keyword),
    /** Match and range on integers. */
    INTEGER(PayloadSchemaType.Integer),
    /** Range on floating point numbers. */
    FLOAT(PayloadSchemaType.Float),
    /** Match on booleans. */
    BOOL(PayloadSchemaType.Bool);

    private final PayloadSchemaType schemaType;

    PayloadIndexType(PayloadSchemaType schemaType) {
        this.schemaType = schemaType;
    }

    /** The Qdrant schema type of this index. */
    public PayloadSchemaType schemaType() {
        return schemaType;
    }
}
