package io.shelfstream.connectors.qdrant.internal;

import java.io.IOException;
import java.util.Collection;

import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committer of {@code QdrantSink} in EXACTLY_ONCE mode: applies committables after their checkpoint completed,
 * strictly in the order Flink hands them over, each with {@code wait=true}.
 *
 * <p>Error ladder per committable: a transient error (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED)
 * is retried with backoff; if it outlasts the retries, the committable and every one after it in this call are
 * handed back with {@code retryLater()} without being sent, so no later change overtakes an earlier one (Flink
 * retries them, and fails the job after {@code sink.committer.retries}, which restores and commits them again). A
 * permanent error fails the job with the point and Qdrant's message; nothing is dropped.
 *
 * <p>The committer makes sure the collections exist before its first commit, as it runs before the writer when
 * a job restores committables.
 */
public final class QdrantCommitter implements Committer<QdrantCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantCommitter.class);

    private final SinkSettings settings;
    private final QdrantGateway gateway;
    private final Retrier retrier;
    private final CommittableApplier applier;
    private boolean collectionsReady;

    public QdrantCommitter(SinkSettings settings, QdrantGateway gateway, Retrier retrier, SinkMetrics metrics) {
        this.settings = settings;
        this.gateway = gateway;
        this.retrier = retrier;
        this.applier = new CommittableApplier(gateway, retrier, metrics, settings.vectorName());
    }

    @Override
    public void commit(Collection<CommitRequest<QdrantCommittable>> requests)
            throws IOException, InterruptedException {
        if (requests.isEmpty()) {
            return;
        }
        if (!collectionsReady) {
            try {
                CollectionSetup.ensure(settings, gateway, retrier);
                collectionsReady = true;
            } catch (QdrantRequestException e) {
                if (!e.isRetryable()) {
                    throw e;
                }
                LOG.warn("Cannot reach Qdrant to check the collections; {} committable(s) will be retried: {}",
                        requests.size(), e.getMessage());
                requests.forEach(CommitRequest::retryLater);
                return;
            }
        }
        QdrantCommittable blockedBy = null;
        for (CommitRequest<QdrantCommittable> request : requests) {
            if (blockedBy != null) {
                request.retryLater();
                continue;
            }
            QdrantCommittable committable = request.getCommittable();
            try {
                applier.apply(committable, true);
            } catch (QdrantRequestException e) {
                if (e.isRetryable()) {
                    LOG.warn("Could not commit the {} (retry {} of this committable); it and the committables "
                            + "after it will be retried: {}", committable, request.getNumberOfRetries(),
                            e.getMessage());
                    request.retryLater();
                    blockedBy = committable;
                } else {
                    LOG.error("Qdrant rejected the {}; failing the job so nothing is dropped", committable, e);
                    request.signalFailedWithUnknownReason(e);
                    // signalFailedWithUnknownReason throws in Flink 2.x; throwing here keeps that promise anyway.
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        retrier.close();
        gateway.close();
    }
}
