package io.shelfstream.connectors.qdrant.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;

/** Buffers, compacts per point and flushes {@link PointWrite}s to Qdrant; see {@code QdrantSink}. */
public final class QdrantSinkWriter implements SinkWriter<PointWrite> {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantSinkWriter.class);

    private final QdrantClient client;
    private final String vectorName;
    private final int vectorSize;
    private final int maxBatchPoints;
    /** Last write per (collection, point id), in first-seen order. */
    private final LinkedHashMap<String, PointWrite> buffer = new LinkedHashMap<>();
    private final Counter upserted;
    private final Counter deleted;

    public QdrantSinkWriter(
            QdrantEndpoint endpoint,
            String vectorName,
            int vectorSize,
            int maxBatchPoints,
            Map<String, List<String>> collections,
            MetricGroup metrics) throws IOException {
        this.client = endpoint.newClient();
        this.vectorName = vectorName;
        this.vectorSize = vectorSize;
        this.maxBatchPoints = maxBatchPoints;
        this.upserted = metrics.counter("pointsUpserted");
        this.deleted = metrics.counter("pointsDeleted");
        try {
            for (Map.Entry<String, List<String>> c : collections.entrySet()) {
                ensureCollection(c.getKey(), c.getValue());
            }
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private void ensureCollection(String name, List<String> filterFields) throws IOException {
        if (!get(client.collectionExistsAsync(name))) {
            LOG.info("Creating Qdrant collection {} (vector '{}', {} dims, cosine)", name, vectorName, vectorSize);
            VectorParams params = VectorParams.newBuilder().setSize(vectorSize).setDistance(Distance.Cosine).build();
            get(client.createCollectionAsync(name, Map.of(vectorName, params)));
            for (String field : filterFields) {
                get(client.createPayloadIndexAsync(name, field, PayloadSchemaType.Keyword, null, true, null, null));
            }
            return;
        }
        CollectionInfo info = get(client.getCollectionInfoAsync(name));
        VectorParamsMap vectors = info.getConfig().getParams().getVectorsConfig().getParamsMap();
        VectorParams existing = vectors.getMapMap().get(vectorName);
        if (existing == null) {
            throw new IllegalStateException("Qdrant collection '" + name + "' exists without a vector named '"
                    + vectorName + "' (it has " + vectors.getMapMap().keySet() + "). Use another collection name "
                    + "or set the sink's vector name to one of those.");
        }
        if (existing.getSize() != vectorSize || existing.getDistance() != Distance.Cosine) {
            throw new IllegalStateException("Qdrant collection '" + name + "' has vector '" + vectorName + "' of "
                    + existing.getSize() + " dims with " + existing.getDistance() + " distance, but this job writes "
                    + vectorSize + " dims with Cosine. Write to a new collection (and switch an alias) instead of "
                    + "reusing this one.");
        }
    }

    @Override
    public void write(PointWrite element, Context context) throws IOException {
        buffer.put(element.collection() + '\u0000' + element.pointId(), element);
        if (buffer.size() >= maxBatchPoints) {
            flush(false);
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        if (buffer.isEmpty()) {
            return;
        }
        Map<String, List<PointStruct>> upserts = new LinkedHashMap<>();
        Map<String, List<PointId>> deletes = new LinkedHashMap<>();
        for (PointWrite w : buffer.values()) {
            PointId id = PointIdFactory.id(java.util.UUID.fromString(w.pointId()));
            if (w.delete()) {
                deletes.computeIfAbsent(w.collection(), k -> new ArrayList<>()).add(id);
            } else {
                if (w.vector().length != vectorSize) {
                    throw new IOException("point " + w.pointId() + " has a vector of " + w.vector().length
                            + " dims, the sink is configured for " + vectorSize);
                }
                PointStruct point = PointStruct.newBuilder()
                        .setId(id)
                        .setVectors(VectorsFactory.namedVectors(Map.of(vectorName,
                                io.qdrant.client.VectorFactory.vector(toList(w.vector())))))
                        .putAllPayload(Payloads.fromJson(w.payloadJson()))
                        .build();
                upserts.computeIfAbsent(w.collection(), k -> new ArrayList<>()).add(point);
            }
        }
        for (Map.Entry<String, List<PointStruct>> e : upserts.entrySet()) {
            get(client.upsertAsync(UpsertPoints.newBuilder()
                    .setCollectionName(e.getKey()).setWait(true).addAllPoints(e.getValue()).build()));
            upserted.inc(e.getValue().size());
        }
        for (Map.Entry<String, List<PointId>> e : deletes.entrySet()) {
            get(client.deleteAsync(DeletePoints.newBuilder()
                    .setCollectionName(e.getKey()).setWait(true)
                    .setPoints(PointsSelector.newBuilder()
                            .setPoints(PointsIdsList.newBuilder().addAllIds(e.getValue())))
                    .build()));
            deleted.inc(e.getValue().size());
        }
        buffer.clear();
    }

    private static List<Float> toList(float[] v) {
        List<Float> l = new ArrayList<>(v.length);
        for (float f : v) {
            l.add(f);
        }
        return l;
    }

    private static <T> T get(com.google.common.util.concurrent.ListenableFuture<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for Qdrant", e);
        } catch (ExecutionException e) {
            throw new IOException("Qdrant request failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
