package io.shelfstream.connectors.qdrant;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import io.shelfstream.connectors.qdrant.internal.GrpcQdrantGateway;
import io.shelfstream.connectors.qdrant.internal.PointStructs;
import io.shelfstream.connectors.qdrant.internal.QdrantCommittable;
import io.shelfstream.connectors.qdrant.internal.QdrantCommittableSerializer;
import io.shelfstream.connectors.qdrant.internal.QdrantCommitter;
import io.shelfstream.connectors.qdrant.internal.QdrantSinkWriter;
import io.shelfstream.connectors.qdrant.internal.Retrier;
import io.shelfstream.connectors.qdrant.internal.RetryPolicy;
import io.shelfstream.connectors.qdrant.internal.SinkMetrics;
import io.shelfstream.connectors.qdrant.internal.SinkSettings;

/**
 * A Flink sink that writes {@link PointWrite}s (whole-point upserts and deletes) to Qdrant over gRPC, exactly once
 * by default.
 *
 * <p><b>EXACTLY_ONCE</b> (default; needs checkpointing): Qdrant has no transactions, so exactly-once means that
 * Qdrant always holds the result of processing every record once, as of some completed checkpoint. The writer
 * keeps the changes of a checkpoint in memory, compacted per (collection, point id) so the last write of a point
 * wins, and emits them as committables at the checkpoint barrier. The committer applies them once the checkpoint
 * is complete, with {@code wait=true}, in checkpoint order; committables are part of the checkpoint, so a job that
 * fails before or while committing applies them again when it restores. Applying a committable again changes
 * nothing: ids are deterministic and upserts replace whole points. Changes become visible one checkpoint interval
 * after they arrive.
 *
 * <p>Why an older committable never wins once recovery completes: a committable is applied only after its
 * checkpoint completed, and a job restores from its latest completed checkpoint, so nothing newer than the restored
 * checkpoint ever reached Qdrant. On restore, Flink (2.x) commits the restored committables in checkpoint order
 * before the task runs, hence before any new checkpoint can complete, and within a task it commits a checkpoint only
 * after every earlier one; this committer applies the committables it is given in order and, once one cannot be
 * applied, applies none after it. So each point ends at the last change of the restored checkpoint, and processing
 * continues from there. This needs every change of one point to reach one sink subtask, in order: key the stream by
 * point (or by the entity the id derives from) before the sink, or forward it from an operator keyed that way.
 * Restoring from an older savepoint or retained checkpoint rolls points back to that state until the replayed input
 * has caught up.
 *
 * <p><b>AT_LEAST_ONCE</b>: the writer sends full batches and flushes at every checkpoint barrier with
 * {@code wait=true}; changes show up sooner, and a replay after a failure may briefly show older versions.
 * <b>NONE</b>: full batches with {@code wait=false}, nothing at checkpoints.
 *
 * <p>Collections given with {@code addCollection} are created when missing (one named dense vector of the sink's
 * size, Cosine) with payload indexes for their filter fields; they are never dropped or recreated, and an existing
 * collection whose vector has another size or distance fails the job at start with a message that says so.
 * Transient gRPC errors (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED) are retried with exponential
 * backoff; other errors fail the job with the point id and Qdrant's message.
 *
 * <p>Metrics (on the committer in EXACTLY_ONCE, else on the writer): {@code pointsUpserted}, {@code pointsDeleted},
 * {@code requests}, {@code retries}, {@code requestLatencyMs} and {@code batchSize} (histograms); the writer has
 * {@code bufferedPoints}; Flink adds {@code pendingCommittables} to the committer.
 *
 * <pre>{@code
 * QdrantSink sink = QdrantSink.builder()
 *         .setEndpoint(QdrantEndpoint.parse("https://qdrant.example:6334").withApiKey(key))
 *         .setVectorName("text")
 *         .setVectorSize(384)
 *         .addCollection("books", List.of("genres", "author"))
 *         .build();
 * points.keyBy(PointWrite::pointId).sinkTo(sink).uid("qdrant-sink");
 * }</pre>
 */
public final class QdrantSink implements Sink<PointWrite>, SupportsCommitter<QdrantCommittable> {

    private static final long serialVersionUID = 2L;

    /** Default named vector. */
    public static final String DEFAULT_VECTOR_NAME = "text";
    /** Default number of points per request. */
    public static final int DEFAULT_MAX_BATCH_POINTS = 256;
    /** Largest number of points per request the builder accepts. */
    public static final int MAX_BATCH_POINTS = 10_000;
    /** Qdrant's default limit on the size of one request (32 MiB); the largest batch the builder accepts. */
    public static final long QDRANT_REQUEST_LIMIT_BYTES = 32L * 1024 * 1024;
    /** Default limit of the estimated protobuf size of one request. */
    public static final long DEFAULT_MAX_BATCH_BYTES = 8L * 1024 * 1024;
    /** Default limit of the point changes a writer holds between two checkpoints (EXACTLY_ONCE). */
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 256L * 1024 * 1024;
    /** Default number of retries of a transient error. */
    public static final int DEFAULT_MAX_RETRIES = 8;
    /** Default wait before the first retry. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    /** Default longest wait between retries. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Default deadline of one request. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Default delivery guarantee. */
    public static final DeliveryGuarantee DEFAULT_DELIVERY_GUARANTEE = DeliveryGuarantee.EXACTLY_ONCE;

    private final SinkSettings settings;

    private QdrantSink(SinkSettings settings) {
        this.settings = settings;
    }

    /** The only way to create a sink. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SinkWriter<PointWrite> createWriter(WriterInitContext context) throws IOException {
        try {
            return QdrantSinkWriter.create(settings, GrpcQdrantGateway.connect(settings.endpoint(),
                    settings.requestTimeout()), context.metricGroup(), context.metricGroup().getNumRecordsSendCounter());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while preparing the Qdrant collections", e);
        }
    }

    @Override
    public Committer<QdrantCommittable> createCommitter(CommitterInitContext context) {
        SinkMetrics metrics = new SinkMetrics(context.metricGroup());
        return new QdrantCommitter(settings,
                GrpcQdrantGateway.connect(settings.endpoint(), settings.requestTimeout()),
                new Retrier(settings.retryPolicy(), metrics), metrics);
    }

    @Override
    public SimpleVersionedSerializer<QdrantCommittable> getCommittableSerializer() {
        return new QdrantCommittableSerializer();
    }

    /** The delivery guarantee this sink was built with. */
    public DeliveryGuarantee deliveryGuarantee() {
        return settings.deliveryGuarantee();
    }

    /** The validated options, for tests and diagnostics. */
    public SinkSettings settings() {
        return settings;
    }

    /**
     * Builder of {@link QdrantSink}. Each option is validated when it is set; options that conflict with each other
     * are rejected by {@link #build()}. Every message says how to fix the setting.
     */
    public static final class Builder {
        private static final String INVALID_NAME_CHARS = "<>:\"/\\|?*\0\u001F";

        private QdrantEndpoint endpoint;
        private String vectorName = DEFAULT_VECTOR_NAME;
        private int vectorSize = -1;
        private int maxBatchPoints = DEFAULT_MAX_BATCH_POINTS;
        private long maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
        private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private DeliveryGuarantee deliveryGuarantee = DEFAULT_DELIVERY_GUARANTEE;
        private final Map<String, Map<String, PayloadIndexType>> collections = new LinkedHashMap<>();

        private Builder() {
        }

        /** Where Qdrant's gRPC API is: host, port, TLS and API key. Required. */
        public Builder setEndpoint(QdrantEndpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** Name of the dense vector in every collection (default {@value #DEFAULT_VECTOR_NAME}). */
        public Builder setVectorName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("vector name must not be blank; use e.g. \"text\"");
            }
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 200 || hasInvalidChar(name)) {
                throw new IllegalArgumentException("vector name '" + name + "' is not valid in Qdrant: at most 200 "
                        + "bytes and none of " + printable(INVALID_NAME_CHARS));
            }
            this.vectorName = name;
            return this;
        }

        /** Dimension of the vectors, e.g. 384 for all-MiniLM-L6-v2. Required. */
        public Builder setVectorSize(int size) {
            if (size <= 0 || size > 65536) {
                throw new IllegalArgumentException("vector size must be in 1..65536, got " + size);
            }
            this.vectorSize = size;
            return this;
        }

        /** Points per request (default {@value #DEFAULT_MAX_BATCH_POINTS}, at most {@value #MAX_BATCH_POINTS}). */
        public Builder setMaxBatchPoints(int points) {
            if (points <= 0 || points > MAX_BATCH_POINTS) {
                throw new IllegalArgumentException("max batch points must be in 1.." + MAX_BATCH_POINTS + ", got "
                        + points);
            }
            this.maxBatchPoints = points;
            return this;
        }

        /**
         * Upper bound of the estimated protobuf size of one request (default 8 MiB). At most 32 MiB, Qdrant's default
         * request limit; a single point larger than this fails the job with its id.
         */
        public Builder setMaxBatchBytes(long bytes) {
            if (bytes < 1024 || bytes > QDRANT_REQUEST_LIMIT_BYTES) {
                throw new IllegalArgumentException("max batch bytes must be in 1024.." + QDRANT_REQUEST_LIMIT_BYTES
                        + " (Qdrant rejects requests over 32 MiB by default), got " + bytes);
            }
            this.maxBatchBytes = bytes;
            return this;
        }

        /**
         * Upper bound of the point changes one writer holds between two checkpoints in EXACTLY_ONCE mode (default
         * 256 MiB). Beyond it the job fails with a message rather than running out of memory; the usual cause is a
         * job without checkpointing, or a checkpoint interval too long for the rate of changes.
         */
        public Builder setMaxBufferedBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("max buffered bytes must be at least 1024, got " + bytes);
            }
            this.maxBufferedBytes = bytes;
            return this;
        }

        /** Retries of a transient error per request (default {@value #DEFAULT_MAX_RETRIES}; 0 disables them). */
        public Builder setMaxRetries(int retries) {
            if (retries < 0 || retries > 1000) {
                throw new IllegalArgumentException("max retries must be in 0..1000, got " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /**
         * Exponential backoff between retries: {@code initial}, doubled per retry up to {@code max}, each wait
         * jittered into [half, full] (default 100 ms up to 5 s).
         */
        public Builder setRetryBackoff(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || initial.isZero()) {
                throw new IllegalArgumentException("initial backoff must be positive, got " + initial);
            }
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max backoff " + max + " is shorter than the initial backoff "
                        + initial + "; pass a max of at least the initial backoff");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** Deadline of one request (default 30 s); a request that passes it is retried as DEADLINE_EXCEEDED. */
        public Builder setRequestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("request timeout must be at least 1 ms, got " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /** EXACTLY_ONCE (default), AT_LEAST_ONCE or NONE; see {@link QdrantSink}. */
        public Builder setDeliveryGuarantee(DeliveryGuarantee guarantee) {
            this.deliveryGuarantee = Objects.requireNonNull(guarantee, "delivery guarantee");
            return this;
        }

        /**
         * A collection (or alias) the sink writes, created when missing, with keyword payload indexes on
         * {@code filterFields}. Records name their collection in {@link PointWrite#collection()}; a record for a
         * collection not added here fails the job.
         */
        public Builder addCollection(String name, List<String> filterFields) {
            Objects.requireNonNull(filterFields, "filterFields");
            Map<String, PayloadIndexType> indexes = new LinkedHashMap<>();
            for (String field : filterFields) {
                indexes.put(field, PayloadIndexType.KEYWORD);
            }
            if (indexes.size() != filterFields.size()) {
                throw new IllegalArgumentException("filter fields of collection '" + name + "' name a field twice: "
                        + filterFields);
            }
            return addCollection(name, indexes);
        }

        /** A collection (or alias) the sink writes, created when missing, with payload indexes of the given types. */
        public Builder addCollection(String name, Map<String, PayloadIndexType> payloadIndexes) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("collection name must not be blank");
            }
            if (name.codePointCount(0, name.length()) > 255 || hasInvalidChar(name)) {
                throw new IllegalArgumentException("collection name '" + name + "' is not valid in Qdrant: at most "
                        + "255 characters and none of " + printable(INVALID_NAME_CHARS));
            }
            Objects.requireNonNull(payloadIndexes, "payloadIndexes");
            for (Map.Entry<String, PayloadIndexType> index : payloadIndexes.entrySet()) {
                if (index.getKey() == null || index.getKey().isBlank() || index.getValue() == null) {
                    throw new IllegalArgumentException("payload index of collection '" + name + "' needs a field "
                            + "name and a type, got " + index.getKey() + " -> " + index.getValue());
                }
            }
            if (collections.containsKey(name)) {
                throw new IllegalArgumentException("collection '" + name + "' was added twice; give all its filter "
                        + "fields in one addCollection call");
            }
            collections.put(name, new LinkedHashMap<>(payloadIndexes));
            return this;
        }

        /** Validates the options together and creates the sink. */
        public QdrantSink build() {
            if (endpoint == null) {
                throw new IllegalStateException("setEndpoint(...) is required: where is Qdrant's gRPC port "
                        + "(e.g. QdrantEndpoint.parse(\"http://localhost:6334\"))?");
            }
            if (vectorSize < 0) {
                throw new IllegalStateException("setVectorSize(...) is required, e.g. 384 for all-MiniLM-L6-v2");
            }
            if (collections.isEmpty()) {
                throw new IllegalStateException("addCollection(...) is required: name every collection the records "
                        + "are routed to");
            }
            long smallestPoint = PointStructs.smallestUpsertBytes(vectorName, vectorSize);
            if (smallestPoint > maxBatchBytes - PointStructs.requestOverheadBytes()) {
                throw new IllegalStateException("setMaxBatchBytes(" + maxBatchBytes + ") cannot hold a single point "
                        + "with a " + vectorSize + "-dimensional vector (at least " + smallestPoint + " bytes); raise "
                        + "it, e.g. to the default " + DEFAULT_MAX_BATCH_BYTES);
            }
            if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE && maxBufferedBytes < maxBatchBytes) {
                throw new IllegalStateException("setMaxBufferedBytes(" + maxBufferedBytes + ") is smaller than "
                        + "setMaxBatchBytes(" + maxBatchBytes + "); a checkpoint's changes must hold at least one "
                        + "request: raise setMaxBufferedBytes or lower setMaxBatchBytes");
            }
            return new QdrantSink(new SinkSettings(endpoint, vectorName, vectorSize, collections, maxBatchPoints,
                    maxBatchBytes, maxBufferedBytes, new RetryPolicy(maxRetries, initialBackoff, maxBackoff),
                    requestTimeout, deliveryGuarantee));
        }

        private static boolean hasInvalidChar(String name) {
            for (int i = 0; i < INVALID_NAME_CHARS.length(); i++) {
                if (name.indexOf(INVALID_NAME_CHARS.charAt(i)) >= 0) {
                    return true;
                }
            }
            return false;
        }

        private static String printable(String chars) {
            return chars.replace("\0", "\\0").replace("\u001F", "\\u001F");
        }
    }
}
