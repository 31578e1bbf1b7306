package io.shelfstream.connectors.testutils;

import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.internal.CatalogBackend;
import io.shelfstream.connectors.lookup.internal.CatalogBackendFactory;

/**
 * An in-memory catalog for lookup tests: rows by id, every fetch recorded (ids, thread), failures and pauses on
 * demand, and a check that no two fetches ever read the same id at once.
 *
 * <p>Instances live in a JVM-wide registry so that a function shipped to a MiniCluster (serialized) finds the same
 * instance through {@link #factory()}.
 */
public final class FakeCatalogBackend implements CatalogBackend {

    private static final Map<String, FakeCatalogBackend> REGISTRY = new ConcurrentHashMap<>();
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String registryId;
    private final Map<String, CatalogRow> rows = new ConcurrentHashMap<>();
    private final List<List<String>> fetches = new ArrayList<>();
    private final Set<String> fetchThreads = new HashSet<>();
    private final Set<String> reading = new HashSet<>();
    private final Semaphore gate = new Semaphore(Integer.MAX_VALUE);
    private volatile Exception failure;
    private volatile int failuresLeft;
    private volatile Consumer<List<String>> beforeRead = ids -> { };
    private boolean overlapSeen;
    private int concurrent;
    private int maxConcurrent;
    private volatile boolean closed;

    private FakeCatalogBackend(String registryId) {
        this.registryId = registryId;
    }

    /** A new, empty catalog, registered for {@link #factory()}. */
    public static FakeCatalogBackend create() {
        String id = "fake-catalog-" + IDS.incrementAndGet();
        FakeCatalogBackend backend = new FakeCatalogBackend(id);
        REGISTRY.put(id, backend);
        return backend;
    }

    /** A serializable factory that hands out this instance. */
    public CatalogBackendFactory factory() {
        String id = registryId;
        return (table, options, name) -> REGISTRY.get(id).reopen();
    }

    private FakeCatalogBackend reopen() {
        closed = false;
        return this;
    }

    /** A row with text fields given as name, value, name, value, ... */
    public static CatalogRow row(String id, Object... fieldsAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            fields.put((String) fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
        return new CatalogRow(id, fields);
    }

    /** Adds or replaces a row. */
    public FakeCatalogBackend put(CatalogRow row) {
        rows.put(row.id(), row);
        return this;
    }

    /** Adds or replaces a row with one field {@code title}. */
    public FakeCatalogBackend putTitle(String id, String title) {
        return put(row(id, "title", title));
    }

    /** Removes a row. */
    public void remove(String id) {
        rows.remove(id);
    }

    /** The next {@code times} fetches fail with {@code error}. */
    public void failNext(int times, Exception error) {
        failure = error;
        failuresLeft = times;
    }

    /** Every fetch fails with a transient connection error until {@link #heal()}. */
    public void failAlways() {
        failNext(Integer.MAX_VALUE, new SQLTransientConnectionException("catalog down (fake)", "08001"));
    }

    /** Fetches succeed again. */
    public void heal() {
        failuresLeft = 0;
    }

    /** Runs {@code hook} inside each fetch, before the rows are read (to change rows between reads). */
    public void beforeRead(Consumer<List<String>> hook) {
        beforeRead = hook;
    }

    /** Fetches block until {@link #resume()}. */
    public void pause() {
        gate.drainPermits();
    }

    /** Lets blocked and later fetches through. */
    public void resume() {
        gate.release(Integer.MAX_VALUE - gate.availablePermits());
    }

    @Override
    public Map<String, CatalogRow> fetch(List<String> ids) throws Exception {
        synchronized (this) {
            fetches.add(List.copyOf(ids));
            fetchThreads.add(Thread.currentThread().getName());
            for (String id : ids) {
                if (!reading.add(id)) {
                    overlapSeen = true;
                }
            }
            maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        }
        try {
            if (!gate.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("fake catalog stayed paused for 30 s");
            }
            gate.release();
            if (failuresLeft > 0) {
                failuresLeft--;
                throw failure;
            }
            beforeRead.accept(ids);
            Map<String, CatalogRow> found = new HashMap<>();
            for (String id : ids) {
                CatalogRow row = rows.get(id);
                if (row != null) {
                    found.put(id, row);
                }
            }
            return found;
        } finally {
            synchronized (this) {
                concurrent--;
                ids.forEach(reading::remove);
            }
        }
    }

    /** The ids of every fetch so far, in order. */
    public synchronized List<List<String>> fetches() {
        return new ArrayList<>(fetches);
    }

    /** The number of fetches so far. */
    public synchronized int fetchCount() {
        return fetches.size();
    }

    /** Names of the threads that ran fetches. */
    public synchronized Set<String> fetchThreads() {
        return new HashSet<>(fetchThreads);
    }

    /** Whether two fetches ever read one id at the same time. */
    public synchronized boolean overlapSeen() {
        return overlapSeen;
    }

    /** The most fetches that ran at once. */
    public synchronized int maxConcurrentFetches() {
        return maxConcurrent;
    }

    /** Whether the function closed the backend. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
