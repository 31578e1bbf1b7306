package io.shelfstream.connectors.qdrant.internal;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Status;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.PointStruct;
import io.shelfstream.connectors.qdrant.PointWrite;

/**
 * Sends one {@link QdrantCommittable} as one request (upsert of whole points, or delete by ids) with retries.
 *
 * <p>When Qdrant rejects a request of several points as INVALID_ARGUMENT, the applier halves it and sends the
 * halves, down to the single point Qdrant rejects, so the failure names that point. This is safe because every
 * part of a committable may be applied any number of times. If every half succeeds (the whole request was the
 * problem, not a point), the committable counts as applied.
 */
public final class CommittableApplier {

    private static final Logger LOG = LoggerFactory.getLogger(CommittableApplier.class);

    private final QdrantGateway gateway;
    private final Retrier retrier;
    private final SinkMetrics metrics;
    private final String vectorName;

    public CommittableApplier(QdrantGateway gateway, Retrier retrier, SinkMetrics metrics, String vectorName) {
        this.gateway = gateway;
        this.retrier = retrier;
        this.metrics = metrics;
        this.vectorName = vectorName;
    }

    /**
     * Applies {@code committable}; with {@code wait} Qdrant replies only once the change is applied.
     *
     * @throws QdrantRequestException if Qdrant rejected it, or kept failing transiently beyond the retries
     */
    public void apply(QdrantCommittable committable, boolean wait) throws QdrantRequestException, InterruptedException {
        apply(committable.collection(), committable.isDelete(), committable.writes(), wait);
    }

    private void apply(String collection, boolean delete, List<PointWrite> writes, boolean wait)
            throws QdrantRequestException, InterruptedException {
        String what = (delete ? "delete of " : "upsert of ") + writes.size() + " point(s) in Qdrant collection '"
                + collection + "'";
        try {
            if (delete) {
                List<PointId> ids = new ArrayList<>(writes.size());
                for (PointWrite w : writes) {
                    ids.add(PointIds.toPointId(w.pointId()));
                }
                retrier.call(what, () -> {
                    gateway.delete(PointStructs.deleteRequest(collection, ids, wait));
                    return null;
                });
                metrics.deleted.inc(writes.size());
            } else {
                List<PointStruct> points = new ArrayList<>(writes.size());
                for (PointWrite w : writes) {
                    points.add(PointStructs.toPointStruct(w, vectorName));
                }
                retrier.call(what, () -> {
                    gateway.upsert(PointStructs.upsertRequest(collection, points, wait));
                    return null;
                });
                metrics.upserted.inc(writes.size());
            }
            metrics.batchSize.update(writes.size());
        } catch (QdrantRequestException e) {
            if (e.code() == Status.Code.INVALID_ARGUMENT && writes.size() > 1) {
                LOG.warn("Qdrant rejected the {}: {}; halving it to find the point it rejects", what,
                        e.getCause().getMessage());
                int half = writes.size() / 2;
                apply(collection, delete, writes.subList(0, half), wait);
                apply(collection, delete, writes.subList(half, writes.size()), wait);
                return;
            }
            throw explain(e, collection, delete, writes);
        }
    }

    private static QdrantRequestException explain(QdrantRequestException e, String collection, boolean delete,
            List<PointWrite> writes) {
        if (e.isRetryable()) {
            return e;
        }
        Status status = ((io.grpc.StatusRuntimeException) e.getCause()).getStatus();
        String description = String.valueOf(status.getDescription());
        String subject = writes.size() == 1
                ? "point " + writes.get(0).pointId() + " (" + (delete ? "delete" : "upsert") + ")"
                : writes.size() + " points (" + (delete ? "delete" : "upsert") + ", first "
                        + writes.get(0).pointId() + ")";
        String hint;
        if (status.getCode() == Status.Code.NOT_FOUND && description.contains("doesn't exist")) {
            hint = "The collection no longer exists (was it deleted while the job ran?). The sink creates missing "
                    + "collections when it starts, so the restart that follows creates it again, empty.";
        } else if (description.contains("dimension")) {
            hint = "The collection's vector size differs from the sink's setVectorSize; write to a collection made "
                    + "for this vector size.";
        } else if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
            hint = "Fix the record that produced this point; the job fails until it is no longer sent.";
        } else {
            hint = "This error is not transient, so the sink does not retry it.";
        }
        return new QdrantRequestException("Qdrant rejected " + subject + " in collection '" + collection + "': "
                + Retrier.describe(status) + ". " + hint, status.getCode(), e.getCause());
    }
}
