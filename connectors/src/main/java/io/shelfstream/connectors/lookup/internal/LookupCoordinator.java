package io.shelfstream.connectors.lookup.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.benmanes.caffeine.cache.Cache;
import io.shelfstream.connectors.lookup.CatalogLookupException;
import io.shelfstream.connectors.lookup.CatalogRow;

/**
 * The engine behind a catalog lookup subtask: queues lookups, sends them to the backend in batches, and decides which
 * row each lookup gets so that per-key order holds. Free of Flink types so that it can be tested on its own.
 *
 * <p><b>Threads.</b> {@link #submit} runs on the caller's (task) thread and never blocks on I/O: it queues the lookup
 * and returns. Batches run on the I/O executor; the flush timer and the clean-up run on the scheduler. All state is
 * guarded by one lock that is never held during I/O or while calling back.
 *
 * <p><b>Batching.</b> Queued lookups are sent, as one {@link CatalogBackend#fetch} of up to {@code batchSize}
 * distinct ids, as soon as {@code batchSize} lookups wait or the oldest has waited {@code maxBatchDelay}, whichever
 * comes first, and at most {@code maxConcurrentBatches} batches run at once. Lookups of the same id in one batch share
 * one row.
 *
 * <p><b>Per-key order.</b> Every lookup gets an arrival number when first submitted; a retry of the same input
 * object (Flink's Async I/O retries hand the function the same object) keeps it. Two rules make sure a lookup never
 * gets an older row than a lookup of the same key that arrived before it:
 * <ol>
 *   <li>Reads of one key never overlap: a batch never takes a key that a running batch reads, and lookups of that
 *       key keep their arrival order in the queue. So the reads of a key happen one after another, each seeing the
 *       catalog at least as new as the one before (PostgreSQL starts each statement from a snapshot taken when it
 *       begins, which includes every transaction committed before).</li>
 *   <li>A lookup completed with a row is final. When a lookup completes, if a later-arrived lookup of its key has
 *       already been completed with a row, it takes the row of the closest such lookup instead of its own read (an
 *       older or equal row). This covers the lookups that complete out of order: retries of missing rows and of
 *       failed queries.</li>
 * </ol>
 * By induction over completions, rows handed out for one key never decrease in arrival order: a lookup that adopts
 * gets a row no newer than any later one's and no older than any earlier one's (those sit between them in the same
 * order), and a lookup that keeps its own read got the newest row read for the key so far. Cache hits are allowed
 * only for keys with no lookup in progress and the cache always holds the latest read of a key, so they obey the same
 * order. A row handed out was also always read after the lookup arrived, except for cache hits.
 *
 * <p>Lookups that completed without a row stay known for {@code forgetAfter} after their first attempt, in case
 * they are retried; after that they are forgotten.
 */
public final class LookupCoordinator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LookupCoordinator.class);

    /** Where the result of one attempt goes. Called without the coordinator's lock held. */
    public interface Completion {

        /**
         * The lookup has a row; it is final.
         *
         * @param row the row
         */
        void found(CatalogRow row);

        /** The catalog has no row for the key (yet); the lookup may be retried. */
        void missing();

        /**
         * The query failed; the lookup may be retried.
         *
         * @param error a {@link CatalogLookupException} saying whether a retry may help
         */
        void failed(CatalogLookupException error);
    }

    private enum State { QUEUED, RUNNING, WAITING, DONE }

    private static final class Request {
        final Object input;
        final String key;
        final long arrival;
        final long firstSubmitNanos;
        final boolean tracked;
        long enqueuedNanos;
        Completion completion;
        State state;

        Request(Object input, String key, long arrival, long now, boolean tracked) {
            this.input = input;
            this.key = key;
            this.arrival = arrival;
            this.firstSubmitNanos = now;
            this.tracked = tracked;
        }
    }

    /** One lookup of a key in progress, by arrival; {@code row} is set once it completed with a row. */
    private static final class Slot {
        CatalogRow row;
    }

    private static final class Batch {
        final LinkedHashMap<String, List<Request>> byKey = new LinkedHashMap<>();
    }

    private final CatalogBackend backend;
    private final String tableName;
    private final int batchSize;
    private final long maxBatchDelayNanos;
    private final int maxConcurrentBatches;
    private final long forgetAfterNanos;
    private final Cache<String, CatalogRow> cache;
    private final Executor io;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoClock;
    private final LookupMetrics metrics;

    private final Object lock = new Object();
    private final IdentityHashMap<Object, Request> byInput = new IdentityHashMap<>();
    private final Map<String, TreeMap<Long, Slot>> keyLines = new HashMap<>();
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final Set<String> busyKeys = new HashSet<>();
    private final Set<Request> waiting = new LinkedHashSet<>();
    private long lastArrival;
    private int runningBatches;
    private int runningLookups;
    private ScheduledFuture<?> flushTimer;
    private ScheduledFuture<?> cleanup;
    private boolean closed;

    /**
     * Creates a coordinator.
     *
     * @param backend              reads rows
     * @param tableName            for messages
     * @param batchSize            most distinct ids per fetch
     * @param maxBatchDelay        longest wait of a queued lookup for its batch to fill
     * @param maxConcurrentBatches most fetches at once
     * @param forgetAfter          how long a lookup completed without a row stays known for a retry
     * @param cache                row cache, or null for none
     * @param io                   runs fetches
     * @param scheduler            runs the flush timer and the clean-up
     * @param nanoClock            monotonic time in nanoseconds
     * @param metrics              where to count
     */
    public LookupCoordinator(CatalogBackend backend, String tableName, int batchSize, Duration maxBatchDelay,
            int maxConcurrentBatches, Duration forgetAfter, Cache<String, CatalogRow> cache, Executor io,
            ScheduledExecutorService scheduler, LongSupplier nanoClock, LookupMetrics metrics) {
        this.backend = backend;
        this.tableName = tableName;
        this.batchSize = batchSize;
        this.maxBatchDelayNanos = maxBatchDelay.toNanos();
        this.maxConcurrentBatches = maxConcurrentBatches;
        this.forgetAfterNanos = forgetAfter.toNanos();
        this.cache = cache;
        this.io = io;
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
        this.metrics = metrics;
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), forgetAfterNanos / 4);
        this.cleanup = scheduler.scheduleWithFixedDelay(this::forgetExpired, period, period, TimeUnit.NANOSECONDS);
    }

    /**
     * Looks up the row of {@code key} for {@code input}; the result goes to {@code completion}, at once for a cache
     * hit, otherwise from an I/O thread. Submitting an input object that completed without a row before is a retry
     * of that lookup.
     *
     * @param input      the record the lookup is for; its identity ties retries to the first attempt
     * @param key        the id to look up
     * @param completion receives the result
     */
    public void submit(Object input, String key, Completion completion) {
        CatalogRow cached = null;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("The catalog lookup of table " + tableName + " is closed");
            }
            long now = nanoClock.getAsLong();
            Request known = byInput.get(input);
            Request request;
            if (known != null && known.state == State.WAITING) {
                request = known;
                waiting.remove(request);
                metrics.retries().inc();
            } else {
                metrics.lookups().inc();
                if (cache != null) {
                    // only keys without a lookup in progress may use the cache: see "Per-key order"
                    cached = keyLines.containsKey(key) ? null : cache.getIfPresent(key);
                    (cached != null ? metrics.cacheHits() : metrics.cacheMisses()).inc();
                }
                if (cached != null) {
                    request = null;
                } else {
                    // an object already queued or running cannot be a retry; look it up without identity tracking
                    boolean track = known == null;
                    request = new Request(input, key, ++lastArrival, now, track);
                    if (track) {
                        byInput.put(input, request);
                    }
                    keyLines.computeIfAbsent(key, k -> new TreeMap<>()).put(request.arrival, new Slot());
                }
            }
            if (request != null) {
                request.completion = completion;
                request.state = State.QUEUED;
                request.enqueuedNanos = now;
                queue.addLast(request);
                runningLookups++;
                dispatch(now);
            }
        }
        if (cached != null) {
            metrics.lookupLatencyMs().update(0);
            completion.found(cached);
        }
    }

    /**
     * Forgets a lookup whose record timed out: it is taken out of the queue, and a running fetch no longer completes
     * it.
     *
     * @param input the record given to {@link #submit}
     */
    public void abandon(Object input) {
        synchronized (lock) {
            Request request = byInput.get(input);
            if (request == null) {
                return;
            }
            if (request.state == State.QUEUED && queue.remove(request)) {
                runningLookups--;
            }
            waiting.remove(request);
            forget(request);
        }
    }

    /**
     * Returns the number of lookups queued or being read.
     *
     * @return queued plus running lookups
     */
    public int pendingLookups() {
        synchronized (lock) {
            return runningLookups;
        }
    }

    /**
     * Returns the number of keys with lookups in progress or retained for per-key order (for tests).
     *
     * @return tracked keys
     */
    public int trackedKeys() {
        synchronized (lock) {
            return keyLines.size();
        }
    }

    /** Stops: queued lookups are dropped, running fetches complete nothing. The executors belong to the caller. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            queue.clear();
            runningLookups = 0;
            if (flushTimer != null) {
                flushTimer.cancel(false);
                flushTimer = null;
            }
            if (cleanup != null) {
                cleanup.cancel(false);
                cleanup = null;
            }
        }
    }

    // --- under the lock -------------------------------------------------------------------------------------------

    private void dispatch(long now) {
        while (runningBatches < maxConcurrentBatches && !queue.isEmpty()) {
            boolean due = queue.size() >= batchSize || now - queue.peekFirst().enqueuedNanos >= maxBatchDelayNanos;
            if (!due) {
                armFlushTimer(now);
                return;
            }
            Batch batch = takeBatch();
            if (batch == null) {
                // every queued key is being read; the completion of that batch dispatches again
                return;
            }
            runningBatches++;
            try {
                io.execute(() -> run(batch));
            } catch (RejectedExecutionException e) {
                runningBatches--;
                if (!closed) {
                    throw e;
                }
                return;
            }
        }
    }

    private void armFlushTimer(long now) {
        if (flushTimer != null || closed) {
            return;
        }
        long delay = Math.max(0, queue.peekFirst().enqueuedNanos + maxBatchDelayNanos - now);
        flushTimer = scheduler.schedule(this::onFlushTimer, delay, TimeUnit.NANOSECONDS);
    }

    private void onFlushTimer() {
        synchronized (lock) {
            flushTimer = null;
            if (!closed) {
                dispatch(nanoClock.getAsLong());
            }
        }
    }

    /**
     * Takes up to batchSize keys from the queue in order, skipping keys being read and every later lookup of a skipped
     * key, so lookups of one key keep their order. Stops at a full batch: later lookups of its keys wait for the next.
     */
    private Batch takeBatch() {
        Batch batch = new Batch();
        Set<String> skipped = new HashSet<>();
        for (Iterator<Request> it = queue.iterator(); it.hasNext() && batch.byKey.size() < batchSize; ) {
            Request r = it.next();
            if (busyKeys.contains(r.key) || skipped.contains(r.key)) {
                skipped.add(r.key);
                continue;
            }
            it.remove();
            r.state = State.RUNNING;
            batch.byKey.computeIfAbsent(r.key, k -> new ArrayList<>()).add(r);
        }
        if (batch.byKey.isEmpty()) {
            return null;
        }
        busyKeys.addAll(batch.byKey.keySet());
        return batch;
    }

    private void complete(Request r, CatalogRow own, List<Runnable> callbacks, long now) {
        TreeMap<Long, Slot> line = keyLines.get(r.key);
        Slot slot = line == null ? null : line.get(r.arrival);
        if (slot == null || r.state == State.DONE) {
            return;
        }
        metrics.lookupLatencyMs().update(TimeUnit.NANOSECONDS.toMillis(now - r.enqueuedNanos));
        CatalogRow adopted = closestLaterRow(line, r.arrival);
        CatalogRow row = adopted != null ? adopted : own;
        if (adopted != null && !adopted.equals(own)) {
            metrics.keyOrderAdoptions().inc();
        }
        Completion completion = r.completion;
        if (row != null) {
            slot.row = row;
            r.state = State.DONE;
            if (r.tracked) {
                byInput.remove(r.input, r);
            }
            prune(r.key, line);
            callbacks.add(() -> completion.found(row));
        } else {
            r.state = State.WAITING;
            waiting.add(r);
            metrics.rowsMissing().inc();
            callbacks.add(completion::missing);
        }
    }

    private static CatalogRow closestLaterRow(TreeMap<Long, Slot> line, long arrival) {
        for (Slot later : line.tailMap(arrival, false).values()) {
            if (later.row != null) {
                return later.row;
            }
        }
        return null;
    }

    /** Drops completed lookups that no earlier lookup of their key could still adopt from. */
    private void prune(String key, TreeMap<Long, Slot> line) {
        while (!line.isEmpty() && line.firstEntry().getValue().row != null) {
            line.pollFirstEntry();
        }
        if (line.isEmpty()) {
            keyLines.remove(key);
        }
    }

    private void forget(Request r) {
        r.state = State.DONE;
        if (r.tracked) {
            byInput.remove(r.input, r);
        }
        TreeMap<Long, Slot> line = keyLines.get(r.key);
        if (line != null) {
            line.remove(r.arrival);
            prune(r.key, line);
        }
    }

    private void forgetExpired() {
        synchronized (lock) {
            long now = nanoClock.getAsLong();
            for (Iterator<Request> it = waiting.iterator(); it.hasNext(); ) {
                Request r = it.next();
                if (now - r.firstSubmitNanos > forgetAfterNanos) {
                    it.remove();
                    forget(r);
                }
            }
        }
    }

    // --- on an I/O thread -----------------------------------------------------------------------------------------

    private void run(Batch batch) {
        List<String> ids = new ArrayList<>(batch.byKey.keySet());
        Map<String, CatalogRow> rows = null;
        Throwable error = null;
        try {
            rows = backend.fetch(ids);
            if (rows == null) {
                throw new IllegalStateException("The catalog backend returned null");
            }
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            error = t;
        }
        metrics.dbRoundTrips().inc();
        metrics.batchSize().update(ids.size());
        List<Runnable> callbacks = new ArrayList<>();
        synchronized (lock) {
            runningBatches--;
            busyKeys.removeAll(batch.byKey.keySet());
            if (closed) {
                return;
            }
            long now = nanoClock.getAsLong();
            if (error != null) {
                metrics.lookupErrors().inc();
                CatalogLookupException failure = failure(error, ids.size());
                for (List<Request> requests : batch.byKey.values()) {
                    for (Request r : requests) {
                        runningLookups--;
                        if (r.state != State.DONE) {
                            r.state = State.WAITING;
                            waiting.add(r);
                            Completion completion = r.completion;
                            callbacks.add(() -> completion.failed(failure));
                        }
                    }
                }
            } else {
                for (Map.Entry<String, List<Request>> entry : batch.byKey.entrySet()) {
                    String key = entry.getKey();
                    CatalogRow own = rows.get(key);
                    if (cache != null) {
                        // the cache holds the latest read of a key, never an older one: see "Per-key order"
                        if (own != null) {
                            cache.put(key, own);
                        } else {
                            cache.invalidate(key);
                        }
                    }
                    List<Request> requests = entry.getValue();
                    requests.sort(Comparator.comparingLong(r -> r.arrival));
                    for (Request r : requests) {
                        runningLookups--;
                        complete(r, own, callbacks, now);
                    }
                }
            }
            dispatch(now);
        }
        for (Runnable callback : callbacks) {
            try {
                callback.run();
            } catch (RuntimeException e) {
                LOG.error("A catalog lookup callback of table {} failed", tableName, e);
            }
        }
    }

    private CatalogLookupException failure(Throwable error, int ids) {
        if (error instanceof CatalogLookupException lookup) {
            return lookup;
        }
        boolean retryable = TransientErrors.isTransient(error);
        return new CatalogLookupException("Reading " + ids + " rows of catalog table " + tableName + " failed ("
                + (retryable ? "transient, retried" : "not transient") + "): " + error, retryable, error);
    }
}
