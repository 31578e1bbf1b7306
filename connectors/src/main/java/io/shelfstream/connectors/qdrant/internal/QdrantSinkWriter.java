package io.shelfstream.connectors.qdrant.internal;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shelfstream.connectors.qdrant.PointWrite;

/**
 * The writer of {@code QdrantSink}: buffers writes compacted per point and, depending on the delivery guarantee,
 * hands them to the committer at the checkpoint barrier or sends them itself.
 *
 * <ul>
 *   <li>EXACTLY_ONCE: nothing is sent from here. {@link #prepareCommit()} (at each barrier and at the end of input)
 *       turns the buffer into {@link QdrantCommittable}s, which the committer applies once the checkpoint is
 *       complete. The buffer is capped by {@code maxBufferedBytes}, so a job without checkpoints fails with a
 *       message instead of running out of memory.</li>
 *   <li>AT_LEAST_ONCE: full batches are sent with {@code wait=true}, and everything at each barrier
 *       ({@link #flush}), so a completed checkpoint implies its writes are in Qdrant.</li>
 *   <li>NONE: full batches are sent with {@code wait=false}; the rest at the end of input only.</li>
 * </ul>
 * Every mode makes sure the collections exist when the writer starts, so a misconfigured collection fails the
 * job at once.
 */
public final class QdrantSinkWriter implements CommittingSinkWriter<PointWrite, QdrantCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantSinkWriter.class);

    private final SinkSettings settings;
    private final QdrantGateway gateway;
    private final Retrier retrier;
    private final CommittableApplier applier;
    private final PointBuffer buffer;
    private final Counter recordsSent;

    /**
     * The writer of a sink: its metrics on {@code group}. EXACTLY_ONCE counts the retries of collection setup in a
     * {@code setup} subgroup (the committer owns the sink's counters); AT_LEAST_ONCE has one {@link SinkMetrics} for
     * the retrier and the writer, since a metric group keeps only the first counter registered under a name.
     */
    public static QdrantSinkWriter create(SinkSettings settings, QdrantGateway gateway, MetricGroup group,
            Counter recordsSent) throws IOException, InterruptedException {
        SinkMetrics metrics = new SinkMetrics(settings.isExactlyOnce() ? group.addGroup("setup") : group);
        return new QdrantSinkWriter(settings, gateway, new Retrier(settings.retryPolicy(), metrics), metrics, group,
                recordsSent);
    }

    /**
     * A writer that talks to Qdrant through {@code gateway} (closed with the writer), counts what it applies in
     * {@code sinkMetrics} (AT_LEAST_ONCE; the same instance the retrier counts in, since a metric group keeps only
     * the first counter of a name) and registers its gauge on {@code metrics}; ensures the collections before it
     * returns.
     */
    public QdrantSinkWriter(SinkSettings settings, QdrantGateway gateway, Retrier retrier, SinkMetrics sinkMetrics,
            MetricGroup metrics, Counter recordsSent) throws IOException, InterruptedException {
        this.settings = settings;
        this.gateway = gateway;
        this.retrier = retrier;
        this.buffer = new PointBuffer(settings);
        this.recordsSent = recordsSent;
        this.applier = settings.isExactlyOnce() ? null
                : new CommittableApplier(gateway, retrier, sinkMetrics, settings.vectorName());
        metrics.gauge(SinkMetrics.BUFFERED_POINTS, buffer::size);
        try {
            CollectionSetup.ensure(settings, gateway, retrier);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void write(PointWrite element, Context context) throws IOException, InterruptedException {
        buffer.add(element);
        if (settings.isExactlyOnce()) {
            if (buffer.bytes() > settings.maxBufferedBytes()) {
                throw new IOException("The Qdrant sink holds " + buffer.size() + " changed points ("
                        + buffer.bytes() + " bytes) since the last checkpoint, more than setMaxBufferedBytes("
                        + settings.maxBufferedBytes() + "). EXACTLY_ONCE keeps changes until a checkpoint "
                        + "completes: enable checkpointing, shorten the checkpoint interval, or raise the limit.");
            }
        } else if (buffer.isFull()) {
            send();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        if (settings.deliveryGuarantee() == DeliveryGuarantee.AT_LEAST_ONCE
                || (settings.deliveryGuarantee() == DeliveryGuarantee.NONE && endOfInput)) {
            send();
        }
    }

    @Override
    public Collection<QdrantCommittable> prepareCommit() {
        if (!settings.isExactlyOnce() || buffer.isEmpty()) {
            return List.of();
        }
        int points = buffer.size();
        List<QdrantCommittable> committables = buffer.drain();
        // In this mode a point is "sent" when it leaves for the committer.
        recordsSent.inc(points);
        LOG.debug("Prepared {} committable(s) with {} point(s) for the checkpoint", committables.size(), points);
        return committables;
    }

    private void send() throws IOException, InterruptedException {
        boolean wait = settings.deliveryGuarantee() == DeliveryGuarantee.AT_LEAST_ONCE;
        for (QdrantCommittable batch : buffer.drain()) {
            applier.apply(batch, wait);
            recordsSent.inc(batch.size());
        }
    }

    @Override
    public void close() {
        retrier.close();
        gateway.close();
    }
}
