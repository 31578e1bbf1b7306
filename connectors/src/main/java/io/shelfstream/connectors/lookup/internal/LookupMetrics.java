package io.shelfstream.connectors.lookup.internal;

import java.util.function.IntSupplier;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The metrics of one catalog lookup subtask, registered in the group {@value #GROUP} of the operator.
 *
 * <p>Counters: {@value #LOOKUPS} (records looked up, retries not counted), {@value #DB_ROUND_TRIPS} (queries
 * sent), {@value #ROWS_MISSING} (attempts that found no row), {@value #RETRIES} (attempts after the first),
 * {@value #LOOKUP_ERRORS} (queries that failed), {@value #CACHE_HITS}, {@value #CACHE_MISSES} and
 * {@value #KEY_ORDER_ADOPTIONS} (lookups given the row of a later record of their key to keep per-key order).
 * Histograms over the last {@value #HISTOGRAM_WINDOW} values: {@value #LOOKUP_LATENCY_MS} (from the moment an attempt
 * is queued to its result) and {@value #BATCH_SIZE} (ids per query). Gauges: {@value #CACHE_HIT_RATIO} (hits over
 * cache lookups since start, 0 without a cache) and {@value #PENDING_LOOKUPS} (attempts queued or running).
 */
public final class LookupMetrics {

    /** The metric group, under the operator's. */
    public static final String GROUP = "catalogLookup";
    public static final String LOOKUPS = "lookups";
    public static final String DB_ROUND_TRIPS = "dbRoundTrips";
    public static final String ROWS_MISSING = "rowsMissing";
    public static final String RETRIES = "retries";
    public static final String LOOKUP_ERRORS = "lookupErrors";
    public static final String CACHE_HITS = "cacheHits";
    public static final String CACHE_MISSES = "cacheMisses";
    public static final String CACHE_HIT_RATIO = "cacheHitRatio";
    public static final String KEY_ORDER_ADOPTIONS = "keyOrderAdoptions";
    public static final String LOOKUP_LATENCY_MS = "lookupLatencyMs";
    public static final String BATCH_SIZE = "batchSize";
    public static final String PENDING_LOOKUPS = "pendingLookups";

    /** Values kept by each histogram. */
    public static final int HISTOGRAM_WINDOW = 1024;

    private final Counter lookups = new ThreadSafeSimpleCounter();
    private final Counter dbRoundTrips = new ThreadSafeSimpleCounter();
    private final Counter rowsMissing = new ThreadSafeSimpleCounter();
    private final Counter retries = new ThreadSafeSimpleCounter();
    private final Counter lookupErrors = new ThreadSafeSimpleCounter();
    private final Counter cacheHits = new ThreadSafeSimpleCounter();
    private final Counter cacheMisses = new ThreadSafeSimpleCounter();
    private final Counter keyOrderAdoptions = new ThreadSafeSimpleCounter();
    private final Histogram lookupLatencyMs = new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW);
    private final Histogram batchSize = new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW);

    private LookupMetrics() {
    }

    /**
     * Creates the metrics and registers them under {@code operatorGroup}.
     *
     * @param operatorGroup the operator's metric group
     * @param pending       reads the number of queued or running attempts
     * @return the metrics
     */
    public static LookupMetrics register(MetricGroup operatorGroup, IntSupplier pending) {
        LookupMetrics m = new LookupMetrics();
        MetricGroup g = operatorGroup.addGroup(GROUP);
        g.counter(LOOKUPS, m.lookups);
        g.counter(DB_ROUND_TRIPS, m.dbRoundTrips);
        g.counter(ROWS_MISSING, m.rowsMissing);
        g.counter(RETRIES, m.retries);
        g.counter(LOOKUP_ERRORS, m.lookupErrors);
        g.counter(CACHE_HITS, m.cacheHits);
        g.counter(CACHE_MISSES, m.cacheMisses);
        g.counter(KEY_ORDER_ADOPTIONS, m.keyOrderAdoptions);
        g.histogram(LOOKUP_LATENCY_MS, m.lookupLatencyMs);
        g.histogram(BATCH_SIZE, m.batchSize);
        g.gauge(CACHE_HIT_RATIO, (Gauge<Double>) m::cacheHitRatio);
        g.gauge(PENDING_LOOKUPS, (Gauge<Integer>) pending::getAsInt);
        return m;
    }

    /**
     * Creates metrics registered nowhere, for code that runs outside Flink (tests, benchmarks).
     *
     * @return the metrics
     */
    public static LookupMetrics unregistered() {
        return new LookupMetrics();
    }

    public Counter lookups() {
        return lookups;
    }

    public Counter dbRoundTrips() {
        return dbRoundTrips;
    }

    public Counter rowsMissing() {
        return rowsMissing;
    }

    public Counter retries() {
        return retries;
    }

    public Counter lookupErrors() {
        return lookupErrors;
    }

    public Counter cacheHits() {
        return cacheHits;
    }

    public Counter cacheMisses() {
        return cacheMisses;
    }

    public Counter keyOrderAdoptions() {
        return keyOrderAdoptions;
    }

    public Histogram lookupLatencyMs() {
        return lookupLatencyMs;
    }

    public Histogram batchSize() {
        return batchSize;
    }

    /**
     * Returns cache hits over cache lookups since the subtask started.
     *
     * @return a ratio in [0, 1]; 0 before the first cache lookup or without a cache
     */
    public double cacheHitRatio() {
        long hits = cacheHits.getCount();
        long total = hits + cacheMisses.getCount();
        return total == 0 ? 0.0 : (double) hits / total;
    }
}
