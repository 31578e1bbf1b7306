package io.shelfstream.connectors.qdrant.internal;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;

/**
 * The sink's metrics on one operator: the committer's in exactly-once mode, the writer's otherwise.
 *
 * <ul>
 *   <li>{@value #POINTS_UPSERTED}, {@value #POINTS_DELETED}: points Qdrant confirmed (counters; re-applied
 *       committables count again)</li>
 *   <li>{@value #REQUESTS}: requests Qdrant confirmed; {@value #RETRIES}: attempts repeated after a transient
 *       error (counters)</li>
 *   <li>{@value #REQUEST_LATENCY_MS}: time of each attempt in milliseconds; {@value #BATCH_SIZE}: points per
 *       request (histograms over the last 1024 values)</li>
 * </ul>
 * Flink adds {@code pendingCommittables} (and total/successful/failed/retried committables) to the committer.
 */
public final class SinkMetrics {

    public static final String POINTS_UPSERTED = "pointsUpserted";
    public static final String POINTS_DELETED = "pointsDeleted";
    public static final String REQUESTS = "requests";
    public static final String RETRIES = "retries";
    public static final String REQUEST_LATENCY_MS = "requestLatencyMs";
    public static final String BATCH_SIZE = "batchSize";
    /** Writer gauge: distinct points held until the next checkpoint barrier or flush. */
    public static final String BUFFERED_POINTS = "bufferedPoints";

    private static final int WINDOW = 1024;

    final Counter upserted;
    final Counter deleted;
    final Counter requests;
    final Counter retries;
    final Histogram latencyMs;
    final Histogram batchSize;

    public SinkMetrics(MetricGroup group) {
        this.upserted = group.counter(POINTS_UPSERTED);
        this.deleted = group.counter(POINTS_DELETED);
        this.requests = group.counter(REQUESTS);
        this.retries = group.counter(RETRIES);
        this.latencyMs = group.histogram(REQUEST_LATENCY_MS, new SlidingHistogram(WINDOW));
        this.batchSize = group.histogram(BATCH_SIZE, new SlidingHistogram(WINDOW));
    }

    public long pointsUpserted() {
        return upserted.getCount();
    }

    public long pointsDeleted() {
        return deleted.getCount();
    }

    public long retries() {
        return retries.getCount();
    }

    public long requests() {
        return requests.getCount();
    }
}
