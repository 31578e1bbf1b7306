package io.shelfstream.job.operators;

import java.io.Serializable;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.shelfstream.job.records.EnrichedBook;
import io.shelfstream.job.records.EnrichedStudent;

/**
 * Makes the newest catalog state win when a backfill and live events meet the same entity (keyed by entity id, in
 * front of the embedding operator).
 *
 * <p>Live records (from events) always pass: per-entity order is already the order of the topic, and a live lookup
 * reads the catalog as it is when the event is processed. A backfill row passes only if it is strictly newer
 * ({@link CatalogVersions catalog version}) than every row of the entity seen so far, live or backfill, and the
 * entity has not been removed by an event: a row the backfill read before a live update committed, or the row of a
 * book an event removed, is dropped (metric {@code staleBackfillRows}). A live row of unknown version (no
 * {@code catalog.version-column}) makes every later backfill row of the entity stale, since it cannot be compared.
 *
 * <p>State per entity: one {@code long}, the newest version seen ({@link Long#MAX_VALUE} after a removal or a live
 * row of unknown version); kept as long as the entity has been seen, like the embedding operator's content hash.
 *
 * @param <T> {@link EnrichedBook} or {@link EnrichedStudent}
 */
public final class NewestRowFilter<T> extends KeyedProcessFunction<String, T, T> implements ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    /** What the filter needs to know of a record. */
    public interface Rows<T> extends Serializable {
        boolean isBackfill(T record);

        boolean isRemoval(T record);

        /** Whether the record carries a catalog row (false for removals and missing rows). */
        boolean found(T record);

        long version(T record);
    }

    /** Books. */
    public static final Rows<EnrichedBook> BOOKS = new Rows<>() {
        private static final long serialVersionUID = 1L;

        public boolean isBackfill(EnrichedBook b) {
            return b.change().isBackfill();
        }

        public boolean isRemoval(EnrichedBook b) {
            return b.change().removed();
        }

        public boolean found(EnrichedBook b) {
            return b.found();
        }

        public long version(EnrichedBook b) {
            return b.catalogVersion();
        }
    };

    /** Students. */
    public static final Rows<EnrichedStudent> STUDENTS = new Rows<>() {
        private static final long serialVersionUID = 1L;

        public boolean isBackfill(EnrichedStudent s) {
            return s.change().isBackfill();
        }

        public boolean isRemoval(EnrichedStudent s) {
            return s.change().removed();
        }

        public boolean found(EnrichedStudent s) {
            return s.found();
        }

        public long version(EnrichedStudent s) {
            return s.catalogVersion();
        }
    };

    private final Rows<T> rows;
    private final Class<T> type;
    private transient ValueState<Long> newest;
    private transient Counter stale;
    private transient Counter backfilled;

    public NewestRowFilter(Rows<T> rows, Class<T> type) {
        this.rows = rows;
        this.type = type;
    }

    @Override
    public void open(OpenContext context) {
        newest = getRuntimeContext().getState(new ValueStateDescriptor<>("newest-catalog-version", Types.LONG));
        stale = getRuntimeContext().getMetricGroup().counter("staleBackfillRows");
        backfilled = getRuntimeContext().getMetricGroup().counter("backfillRows");
    }

    @Override
    public void processElement(T record, Context ctx, Collector<T> out) throws Exception {
        Long seen = newest.value();
        if (rows.isBackfill(record)) {
            long version = rows.version(record);
            if (seen != null && (version == EnrichedBook.UNKNOWN_VERSION || version <= seen)) {
                stale.inc();
                return;
            }
            backfilled.inc();
            newest.update(version);
            out.collect(record);
            return;
        }
        if (rows.isRemoval(record)) {
            newest.update(Long.MAX_VALUE);
        } else if (rows.found(record)) {
            long version = rows.version(record);
            newest.update(version == EnrichedBook.UNKNOWN_VERSION ? Long.MAX_VALUE
                    : seen == null || seen == Long.MAX_VALUE ? version : Math.max(seen, version));
        }
        out.collect(record);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
