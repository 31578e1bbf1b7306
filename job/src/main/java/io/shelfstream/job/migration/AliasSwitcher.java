package io.shelfstream.job.migration;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.qdrant.client.QdrantClient;
import io.shelfstream.connectors.qdrant.QdrantAliases;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;

/**
 * Points the readers' aliases ({@code books}, {@code students}) at the collections this job writes
 * ({@code books__<model>}, ...) once those have caught up: the switch of a model migration.
 *
 * <p>Its input is the job's catalog backfill (any record type; only the end matters), at parallelism 1. When the
 * backfill has ended, the job takes its final checkpoint for this task; when that checkpoint is complete, every
 * backfilled row is in a committed checkpoint, and the Qdrant sink applies it as that completion is announced. The
 * switcher then waits until the new collections' point counts have stopped changing ({@link #SETTLED} apart, so the
 * sink's commit has landed), and switches each alias in one alias request ({@link QdrantAliases#switchAlias}):
 * readers see the old collection or the new one, never none. Switching again is a no-op, so a restart after the
 * switch changes nothing. An alias that does not exist yet is created at the first completed checkpoint (a first
 * deployment has nothing to wait for); without a backfill input, an alias that points elsewhere is left alone.
 */
public final class AliasSwitcher<T> extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<T, Void>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AliasSwitcher.class);
    /** Point counts must not change for this long before the switch. */
    static final Duration SETTLED = Duration.ofSeconds(2);
    /** Longest wait for the counts to settle. */
    static final Duration MAX_WAIT = Duration.ofMinutes(5);

    private final QdrantEndpoint endpoint;
    private final Map<String, String> aliasToCollection;
    private final boolean waitsForBackfill;
    private transient boolean backfillEnded;
    private transient boolean done;

    /**
     * Creates the switcher.
     *
     * @param endpoint          Qdrant
     * @param aliasToCollection each alias and the collection it must point at
     * @param waitsForBackfill  whether the input is a backfill to wait for before switching an existing alias
     */
    public AliasSwitcher(QdrantEndpoint endpoint, Map<String, String> aliasToCollection, boolean waitsForBackfill) {
        this.endpoint = endpoint;
        this.aliasToCollection = new LinkedHashMap<>(aliasToCollection);
        this.waitsForBackfill = waitsForBackfill;
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        // only the end of the backfill matters
    }

    @Override
    public void endInput() {
        backfillEnded = true;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (done) {
            return;
        }
        try (QdrantClient client = endpoint.newClient(); QdrantAliases aliases = QdrantAliases.using(client)) {
            boolean allPointed = true;
            for (Map.Entry<String, String> e : aliasToCollection.entrySet()) {
                Optional<String> current = aliases.target(e.getKey());
                if (current.isEmpty() && client.collectionExistsAsync(e.getKey()).get()) {
                    // Qdrant has no alias and collection of one name: never fail the job over it, say what to do
                    LOG.error("Cannot create the alias {}: a collection of that name exists (a deployment without "
                            + "qdrant.versioned). Readers keep using that collection; this job writes {}. To move to "
                            + "versioned collections, let this job fill {}, then delete the collection {} and this job "
                            + "creates the alias at its next checkpoint.", e.getKey(), e.getValue(), e.getValue(),
                            e.getKey());
                    allPointed = false;
                    continue;
                }
                if (current.isEmpty() && client.collectionExistsAsync(e.getValue()).get()) {
                    aliases.switchAlias(e.getKey(), e.getValue());
                    LOG.info("Created alias {} -> {}", e.getKey(), e.getValue());
                } else if (current.isEmpty() || !current.get().equals(e.getValue())) {
                    allPointed = false;
                }
            }
            if (allPointed) {
                done = true;
                return;
            }
            if (!waitsForBackfill || !backfillEnded) {
                return;
            }
            waitUntilSettled(client);
            for (Map.Entry<String, String> e : aliasToCollection.entrySet()) {
                if (client.collectionExistsAsync(e.getKey()).get()) {
                    continue; // a collection holds the alias's name: reported above, left to the operator
                }
                Optional<String> previous = aliases.switchAlias(e.getKey(), e.getValue());
                LOG.info("Switched alias {} from {} to {} (backfill complete)", e.getKey(), previous.orElse("nothing"),
                        e.getValue());
            }
            done = true;
        }
    }

    private void waitUntilSettled(QdrantClient client) throws Exception {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        Map<String, Long> last = counts(client);
        while (System.nanoTime() < deadline) {
            Thread.sleep(SETTLED.toMillis());
            Map<String, Long> now = counts(client);
            if (now.equals(last)) {
                return;
            }
            last = now;
        }
        LOG.warn("Point counts of {} still changing after {}; switching the aliases anyway", last.keySet(), MAX_WAIT);
    }

    private Map<String, Long> counts(QdrantClient client) throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String collection : aliasToCollection.values()) {
            counts.put(collection, client.countAsync(collection).get());
        }
        return counts;
    }
}
