package io.shelfstream.connectors.testutils;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.internal.CatalogBackend;
import io.shelfstream.connectors.lookup.internal.CatalogBackendFactory;
import io.shelfstream.connectors.lookup.internal.JdbcCatalogBackend;

/**
 * Wraps the real JDBC backend and records, JVM-wide under a name, which threads ran queries, how many queries ran or
 * failed, and which ids came back missing; an optional hook sees every id that came back missing.
 */
public final class RecordingCatalogBackend implements CatalogBackend {

    /** What one recording name saw. */
    public static final class Record {
        public final Set<String> threads = ConcurrentHashMap.newKeySet();
        public final Set<String> missingIds = ConcurrentHashMap.newKeySet();
        public final AtomicInteger fetches = new AtomicInteger();
        public final AtomicInteger failures = new AtomicInteger();
        public final AtomicInteger opened = new AtomicInteger();
        public volatile Consumer<List<String>> onMissing = ids -> { };
    }

    private static final Map<String, Record> RECORDS = new ConcurrentHashMap<>();

    private final CatalogBackend delegate;
    private final Record record;

    private RecordingCatalogBackend(CatalogBackend delegate, Record record) {
        this.delegate = delegate;
        this.record = record;
    }

    /** Starts recording under {@code name}. */
    public static Record start(String name) {
        Record record = new Record();
        RECORDS.put(name, record);
        return record;
    }

    /** A serializable factory of JDBC backends that record under {@code name}. */
    public static CatalogBackendFactory jdbc(String name) {
        CatalogBackendFactory jdbc = JdbcCatalogBackend.factory();
        return (table, options, poolName) -> {
            Record record = RECORDS.get(name);
            record.opened.incrementAndGet();
            return new RecordingCatalogBackend(jdbc.create(table, options, poolName), record);
        };
    }

    @Override
    public Map<String, CatalogRow> fetch(List<String> ids) throws Exception {
        record.threads.add(Thread.currentThread().getName());
        record.fetches.incrementAndGet();
        Map<String, CatalogRow> rows;
        try {
            rows = delegate.fetch(ids);
        } catch (Exception e) {
            record.failures.incrementAndGet();
            throw e;
        }
        List<String> missing = ids.stream().filter(id -> !rows.containsKey(id)).toList();
        if (!missing.isEmpty()) {
            record.missingIds.addAll(missing);
            record.onMissing.accept(missing);
        }
        return rows;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
