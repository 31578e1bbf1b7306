package io.shelfstream.job.migration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.qdrant.client.QdrantClient;
import io.shelfstream.connectors.qdrant.QdrantAliases;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;

/**
 * Points the readers' aliases ({@code books}, {@code students}) at the collections this job writes
 * ({@code books__<model>}, ...) once those have caught up: the switch of a model migration.
 *
 * <p>Its input is the union of the backfills' {@link BackfillEnd} markers and the job's live streams turned into
 * nothing ({@link #keepAlive}), at parallelism 1, so the switcher runs as long as the job does and keeps hearing of
 * completed checkpoints; it does not depend on a finishing task's last notification. When every subtask of every
 * expected backfill has ended, the switcher notes the first checkpoint it takes after that ({@code C}): every
 * backfilled row was before that checkpoint's barrier on the embedding path, so the Qdrant sink commits it when
 * {@code C} completes. The switcher waits for a later checkpoint to complete (the sink applies its commits in
 * checkpoint order, before it takes the next one), then until the new collections' point counts have stopped
 * changing ({@link #SETTLED} apart), and switches each alias in one alias request ({@link QdrantAliases#switchAlias}):
 * readers see the old collection or the new one, never none. The markers heard are kept in operator state, so a
 * restore after some backfill subtasks had finished still switches; switching again is a no-op. A job without live
 * input (backfill only) switches at its final checkpoint. An alias that does not exist yet is created at the first
 * completed checkpoint (a first deployment has nothing to wait for); without a backfill, an alias that points
 * elsewhere is left alone.
 */
public final class AliasSwitcher extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<BackfillEnd, Void>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AliasSwitcher.class);
    /** Point counts must not change for this long before the switch. */
    static final Duration SETTLED = Duration.ofSeconds(2);
    /** Longest wait for the counts to settle. */
    static final Duration MAX_WAIT = Duration.ofMinutes(1);

    private final QdrantEndpoint endpoint;
    private final Map<String, String> aliasToCollection;
    private final Set<String> backfills;
    private transient ListState<String> endsState;
    private transient Set<String> ends;
    private transient boolean inputEnded;
    private transient long endCheckpoint;
    private transient long lastSnapshot;
    private transient boolean done;

    /**
     * Creates the switcher.
     *
     * @param endpoint          Qdrant
     * @param aliasToCollection each alias and the collection it must point at
     * @param backfills         the backfills ({@code books}, {@code students}) to wait for before switching an
     *                          existing alias; empty: only create missing aliases
     */
    public AliasSwitcher(QdrantEndpoint endpoint, Map<String, String> aliasToCollection, Set<String> backfills) {
        this.endpoint = endpoint;
        this.aliasToCollection = new LinkedHashMap<>(aliasToCollection);
        this.backfills = new TreeSet<>(backfills);
    }

    /** A live stream turned into no markers at all: it only keeps the switcher's task running with the job. */
    public static <T> DataStream<BackfillEnd> keepAlive(DataStream<T> live, String uid) {
        return live.flatMap((T value, Collector<BackfillEnd> out) -> { })
                .returns(BackfillEnd.class)
                .uid(uid)
                .name("Keep the alias switcher running");
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        endsState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("backfill-ends", Types.STRING));
        ends = new TreeSet<>();
        for (String end : endsState.get()) {
            ends.add(end);
        }
        endCheckpoint = -1;
    }

    @Override
    public void processElement(StreamRecord<BackfillEnd> element) {
        BackfillEnd end = element.getValue();
        if (ends.add(end.key())) {
            LOG.info("Heard {}{}", end, backfillComplete() ? "; every backfill has ended" : "");
        }
    }

    @Override
    public void endInput() {
        inputEnded = true;
        if (endCheckpoint < 0 && backfillComplete()) {
            // a bounded job: the operator may not be snapshotted once finished, but any checkpoint after the ones
            // taken so far has its barrier behind the end of every input
            endCheckpoint = lastSnapshot + 1;
        }
    }

    /** Whether every subtask of every expected backfill has sent its end. */
    boolean backfillComplete() {
        if (backfills.isEmpty()) {
            return false;
        }
        for (String entities : backfills) {
            Map<Integer, Set<Integer>> subtasksByParallelism = new HashMap<>();
            for (String end : ends) {
                String[] parts = end.split("/");
                if (parts[0].equals(entities)) {
                    subtasksByParallelism.computeIfAbsent(Integer.parseInt(parts[2]), p -> new HashSet<>())
                            .add(Integer.parseInt(parts[1]));
                }
            }
            boolean ended = subtasksByParallelism.entrySet().stream()
                    .anyMatch(e -> e.getValue().size() == e.getKey());
            if (!ended) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        endsState.update(new ArrayList<>(ends));
        lastSnapshot = Math.max(lastSnapshot, context.getCheckpointId());
        if (endCheckpoint < 0 && backfillComplete()) {
            endCheckpoint = context.getCheckpointId();
        }
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
            // a later checkpoint than the one covering the backfill's rows; in a bounded job, the one covering it
            // (its final checkpoint: nothing follows it)
            boolean caughtUp = endCheckpoint >= 0
                    && (checkpointId > endCheckpoint || (inputEnded && checkpointId >= endCheckpoint));
            if (!caughtUp) {
                return;
            }
            waitUntilSettled(client);
            for (Map.Entry<String, String> e : aliasToCollection.entrySet()) {
                if (aliases.target(e.getKey()).isEmpty() && client.collectionExistsAsync(e.getKey()).get()) {
                    continue; // a collection holds the alias's name: reported above, left to the operator
                }
                Optional<String> previous = aliases.switchAlias(e.getKey(), e.getValue());
                LOG.info("Switched alias {} from {} to {} (backfill complete at checkpoint {}, switched after {})",
                        e.getKey(), previous.orElse("nothing"), e.getValue(), endCheckpoint, checkpointId);
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
