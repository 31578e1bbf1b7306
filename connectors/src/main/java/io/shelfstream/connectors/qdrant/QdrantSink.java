package io.shelfstream.connectors.qdrant;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import io.shelfstream.connectors.qdrant.internal.QdrantSinkWriter;

/**
 * A Flink sink that writes {@link PointWrite}s to Qdrant over gRPC.
 *
 * <p>Guarantee of this version: at-least-once. The writer buffers writes, compacts them per point (the last
 * write of a point wins), and flushes them with {@code wait=true} when the buffer is full and before every
 * checkpoint completes its snapshot, so a completed checkpoint implies its writes are durable in Qdrant. After a
 * failure, records since the last checkpoint are replayed; with deterministic point ids and whole-point writes a
 * replay converges to the same state.
 *
 * <p>Collections named in the builder are created when missing (one named dense vector, cosine) with keyword
 * payload indexes for the configured filter fields; they are never dropped or recreated. An existing collection
 * whose vector has another size or distance fails the job at start with a message that says so.
 *
 * <pre>{@code
 * QdrantSink sink = QdrantSink.builder()
 *         .setEndpoint(QdrantEndpoint.of("localhost", 6334))
 *         .setVectorName("text")
 *         .setVectorSize(384)
 *         .addCollection("books", List.of("genres", "reading_level"))
 *         .build();
 * }</pre>
 */
public final class QdrantSink implements Sink<PointWrite> {

    private static final long serialVersionUID = 1L;

    /** Default named vector. */
    public static final String DEFAULT_VECTOR_NAME = "text";
    /** Default number of points per upsert request. */
    public static final int DEFAULT_MAX_BATCH_POINTS = 256;

    private final QdrantEndpoint endpoint;
    private final String vectorName;
    private final int vectorSize;
    private final int maxBatchPoints;
    private final LinkedHashMap<String, List<String>> collections;

    private QdrantSink(Builder b) {
        this.endpoint = b.endpoint;
        this.vectorName = b.vectorName;
        this.vectorSize = b.vectorSize;
        this.maxBatchPoints = b.maxBatchPoints;
        this.collections = new LinkedHashMap<>(b.collections);
    }

    /** The only way to create a sink. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SinkWriter<PointWrite> createWriter(WriterInitContext context) throws IOException {
        return new QdrantSinkWriter(endpoint, vectorName, vectorSize, maxBatchPoints, collections,
                context.metricGroup());
    }

    /** Builder of {@link QdrantSink}; every option is validated on entry. */
    public static final class Builder {
        private QdrantEndpoint endpoint;
        private String vectorName = DEFAULT_VECTOR_NAME;
        private int vectorSize = -1;
        private int maxBatchPoints = DEFAULT_MAX_BATCH_POINTS;
        private final Map<String, List<String>> collections = new LinkedHashMap<>();

        private Builder() {
        }

        /** Where Qdrant's gRPC API is. Required. */
        public Builder setEndpoint(QdrantEndpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** Name of the dense vector in every collection (default {@value #DEFAULT_VECTOR_NAME}). */
        public Builder setVectorName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("vector name must not be blank");
            }
            this.vectorName = name;
            return this;
        }

        /** Dimension of the vectors. Required. */
        public Builder setVectorSize(int size) {
            if (size <= 0 || size > 65536) {
                throw new IllegalArgumentException("vector size must be in 1..65536, got " + size);
            }
            this.vectorSize = size;
            return this;
        }

        /** Points per upsert request (default {@value #DEFAULT_MAX_BATCH_POINTS}). */
        public Builder setMaxBatchPoints(int points) {
            if (points <= 0 || points > 10_000) {
                throw new IllegalArgumentException("max batch points must be in 1..10000, got " + points);
            }
            this.maxBatchPoints = points;
            return this;
        }

        /** A collection to create when missing, with keyword payload indexes on {@code filterFields}. */
        public Builder addCollection(String name, List<String> filterFields) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("collection name must not be blank");
            }
            collections.put(name, List.copyOf(filterFields));
            return this;
        }

        /** Validates the options and creates the sink. */
        public QdrantSink build() {
            if (endpoint == null) {
                throw new IllegalStateException("setEndpoint(...) is required: where is Qdrant's gRPC port?");
            }
            if (vectorSize < 0) {
                throw new IllegalStateException("setVectorSize(...) is required, e.g. 384 for all-MiniLM-L6-v2");
            }
            return new QdrantSink(this);
        }
    }

    List<String> collectionNames() {
        return new ArrayList<>(collections.keySet());
    }
}
