package io.shelfstream.connectors.lookup;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.shelfstream.connectors.lookup.internal.CatalogBackend;
import io.shelfstream.connectors.lookup.internal.CatalogBackendFactory;
import io.shelfstream.connectors.lookup.internal.JdbcCatalogBackend;
import io.shelfstream.connectors.lookup.internal.LookupCoordinator;
import io.shelfstream.connectors.lookup.internal.LookupMetrics;

/**
 * Enriches records with their row from a PostgreSQL catalog table, on Flink's Async I/O, without blocking the task
 * thread: lookups are micro-batched into one {@code SELECT ... WHERE id = ANY(?)} per batch over a HikariCP pool,
 * retried with backoff when the row is missing or the database hiccups, optionally cached, and kept in per-key order.
 *
 * <p>Use it through {@link #orderedWait}, on a stream keyed by the lookup key; that applies the capacity, timeout and
 * retry strategy of the {@link JdbcEnrichmentOptions}:
 * <pre>{@code
 * JdbcEnrichmentFunction<BookChange, EnrichedBook> lookup = JdbcEnrichmentFunction.<BookChange, EnrichedBook>builder()
 *         .setOptions(JdbcEnrichmentOptions.builder().setJdbcUrl(url).setUsername(user).setPassword(pw).build())
 *         .setTable(CatalogTable.builder().setTable("books").setIdColumn("book_id")
 *                 .addFields("title,author,description,genres").build())
 *         .setKeySelector(BookChange::bookId)
 *         .setMapper(new BookMapper())
 *         .setOutputType(TypeInformation.of(EnrichedBook.class))
 *         .build();
 * DataStream<EnrichedBook> enriched = lookup.orderedWait(changes.keyBy(BookChange::bookId)).uid("catalog-lookup");
 * }</pre>
 *
 * <p><b>Threads and batching.</b> {@code asyncInvoke} only queues the lookup. A batch of up to
 * {@link JdbcEnrichmentOptions#batchSize() batch size} distinct ids is sent when that many lookups wait or the oldest
 * has waited the {@link JdbcEnrichmentOptions#maxBatchDelay() max batch delay}; up to
 * {@link JdbcEnrichmentOptions#poolSize() pool size} batches run at once, each on its own I/O thread (named
 * {@value #IO_THREAD_PREFIX}{@code <table>-<subtask>-<n>}) and connection. Opening the function does not connect:
 * the pool connects in the background.
 *
 * <p><b>Missing rows and failures.</b> A lookup whose row is missing completes with {@link EnrichmentMapper#missing};
 * the retry strategy retries it (rows may arrive late) up to {@link JdbcEnrichmentOptions#maxRetries() max retries}
 * times with exponential backoff, and the output of the last attempt is emitted, so a row that never arrives becomes
 * the mapper's missing output, for example a dead letter. A query that fails with a transient error (see
 * {@link CatalogLookupException}) is retried the same way; once the retries are spent, or at once for a permanent
 * error, the job fails and restarts from its last checkpoint, and the Async I/O operator's checkpointed in-flight
 * records are looked up again: nothing is dropped. A record still in the lookup after the
 * {@link JdbcEnrichmentOptions#timeout() timeout} (retries included) fails the job too.
 *
 * <p><b>Per-key order (proved in {@link LookupCoordinator}).</b> With the ordered wait on a keyed stream, records
 * leave in the order they came, and for two records of the same key, the later one never carries an older row than
 * the earlier one. Reads of one key never overlap, so each sees the catalog at least as new as the previous one; and
 * when a lookup completes after a later lookup of its key already got a row (a retry of a missing row or of a failed
 * query), it takes that row instead of its own, newer, read. So the last record of a key carries the newest row any
 * of its lookups read, and that row was read after the record reached the function: if every catalog change is
 * followed by an event, the newest catalog state wins downstream. Retries are recognised by the identity of the input
 * object, which Flink's Async I/O keeps across retries.
 *
 * <p><b>Cache.</b> Off by default. With {@link JdbcEnrichmentOptions.Builder#setCache} a lookup of a key with no
 * lookup in progress may be answered from rows read at most {@link JdbcEnrichmentOptions#cacheTtl() ttl} ago: a record
 * may then carry a row up to ttl older than the catalog (say, miss an update whose event arrives within ttl of the
 * previous read of that key), but never an older row than an earlier record of its key. Every read refreshes the
 * cache, a missing row evicts it, and missing rows are never cached.
 *
 * <p><b>Metrics</b>, in the operator's group {@value LookupMetrics#GROUP}: {@code lookups}, {@code dbRoundTrips},
 * {@code rowsMissing}, {@code retries}, {@code lookupErrors}, {@code cacheHits}, {@code cacheMisses},
 * {@code keyOrderAdoptions} (counters); {@code lookupLatencyMs}, {@code batchSize} (histograms);
 * {@code cacheHitRatio}, {@code pendingLookups} (gauges). See {@link LookupMetrics}.
 *
 * @param <IN>  input type
 * @param <OUT> output type
 */
public final class JdbcEnrichmentFunction<IN, OUT> extends RichAsyncFunction<IN, OUT>
        implements ResultTypeQueryable<OUT> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(JdbcEnrichmentFunction.class);

    /** Name prefix of the threads that run the queries. */
    public static final String IO_THREAD_PREFIX = "shelfstream-lookup-io-";

    private final JdbcEnrichmentOptions options;
    private final CatalogTable table;
    private final KeySelector<IN, String> keySelector;
    private final EnrichmentMapper<IN, OUT> mapper;
    private final TypeInformation<OUT> outputType;
    private final CatalogBackendFactory backendFactory;
    private final Ticker cacheTicker;

    private transient CatalogBackend backend;
    private transient ExecutorService io;
    private transient ScheduledThreadPoolExecutor scheduler;
    private transient LookupCoordinator coordinator;
    private transient LookupMetrics metrics;

    private JdbcEnrichmentFunction(Builder<IN, OUT> b) {
        this.options = b.options;
        this.table = b.table;
        this.keySelector = b.keySelector;
        this.mapper = b.mapper;
        this.outputType = b.outputType;
        this.backendFactory = b.backendFactory;
        this.cacheTicker = b.cacheTicker;
    }

    /**
     * Starts a builder.
     *
     * @param <IN>  input type
     * @param <OUT> output type
     * @return a new builder
     */
    public static <IN, OUT> Builder<IN, OUT> builder() {
        return new Builder<>();
    }

    /**
     * Adds the lookup to a keyed stream: an ordered Async I/O operator with the options' timeout, capacity and
     * {@link #retryStrategy()}. Key the stream by the lookup key (or anything that puts all records of a key on one
     * subtask); the per-key order holds within a subtask.
     *
     * @param input the records to enrich, keyed
     * @return the enriched stream, typed with the builder's output type
     */
    public SingleOutputStreamOperator<OUT> orderedWait(KeyedStream<IN, ?> input) {
        return AsyncDataStream.orderedWaitWithRetry(input, this, options.timeout().toMillis(), TimeUnit.MILLISECONDS,
                        options.capacity(), retryStrategy())
                .returns(outputType);
    }

    /**
     * Returns the retry strategy {@link #orderedWait} uses: Flink's exponential backoff with the options' retries and
     * delays, retrying outputs the mapper calls missing and retryable {@link CatalogLookupException}s.
     *
     * @return the retry strategy
     */
    public AsyncRetryStrategy<OUT> retryStrategy() {
        return new AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategyBuilder<OUT>(options.maxRetries(),
                options.retryInitialDelay().toMillis(), options.retryMaxDelay().toMillis(), options.retryMultiplier())
                .ifResult(new MissingRowOutput<>(mapper))
                .ifException(new RetryableFailure())
                .build();
    }

    /** @return the options */
    public JdbcEnrichmentOptions getOptions() {
        return options;
    }

    /** @return the table mapping */
    public CatalogTable getTable() {
        return table;
    }

    @Override
    public TypeInformation<OUT> getProducedType() {
        return outputType;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        String name = table.table() + "-" + subtask;
        metrics = LookupMetrics.register(getRuntimeContext().getMetricGroup(),
                () -> coordinator == null ? 0 : coordinator.pendingLookups());
        backend = backendFactory.create(table, options, "shelfstream-catalog-" + name);
        io = Executors.newFixedThreadPool(options.poolSize(), threads(IO_THREAD_PREFIX + name + "-"));
        scheduler = new ScheduledThreadPoolExecutor(1, threads("shelfstream-lookup-timer-" + name + "-"));
        scheduler.setRemoveOnCancelPolicy(true);
        Cache<String, CatalogRow> cache = null;
        if (options.isCacheEnabled()) {
            cache = Caffeine.newBuilder()
                    .maximumSize(options.cacheMaxRows())
                    .expireAfterWrite(options.cacheTtl())
                    .ticker(cacheTicker != null ? cacheTicker : Ticker.systemTicker())
                    .executor(Runnable::run)
                    .build();
        }
        // a lookup that completed without a row may be retried until the operator's timeout has passed
        Duration forgetAfter = options.timeout().multipliedBy(2).plus(options.retryMaxDelay());
        coordinator = new LookupCoordinator(backend, table.table(), options.batchSize(), options.maxBatchDelay(),
                options.poolSize(), forgetAfter, cache, io, scheduler, System::nanoTime, metrics);
        LOG.info("Catalog lookup of table {} (subtask {}) opened: {}", table.table(), subtask, options);
    }

    @Override
    public void asyncInvoke(IN input, ResultFuture<OUT> resultFuture) throws Exception {
        if (!mapper.needsLookup(input)) {
            resultFuture.complete(Collections.singletonList(mapper.withoutLookup(input)));
            return;
        }
        String key = keySelector.getKey(input);
        if (key == null) {
            resultFuture.completeExceptionally(new CatalogLookupException("The key selector returned null for "
                    + input + "; every record that needs a lookup must have a key", false, null));
            return;
        }
        coordinator.submit(input, key, new ResultCompletion(input, key, resultFuture));
    }

    @Override
    public void timeout(IN input, ResultFuture<OUT> resultFuture) {
        coordinator.abandon(input);
        resultFuture.completeExceptionally(new TimeoutException("The catalog lookup of a record in table "
                + table.table() + " did not complete within " + options.timeout() + " (retries included); the job "
                + "restarts from its last checkpoint. Raise the timeout if the catalog is slow, or check that it is "
                + "reachable"));
    }

    @Override
    public void close() throws Exception {
        if (coordinator != null) {
            coordinator.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (io != null) {
            io.shutdownNow();
        }
        if (backend != null) {
            try {
                backend.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing the catalog connections of table {} failed", table.table(), e);
            }
        }
    }

    /** The metrics of this subtask, once opened (for tests). */
    LookupMetrics metrics() {
        return metrics;
    }

    /** The coordinator of this subtask, once opened (for tests). */
    LookupCoordinator coordinator() {
        return coordinator;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Turns coordinator results into Async I/O results. */
    private final class ResultCompletion implements LookupCoordinator.Completion {

        private final IN input;
        private final String key;
        private final ResultFuture<OUT> resultFuture;

        ResultCompletion(IN input, String key, ResultFuture<OUT> resultFuture) {
            this.input = input;
            this.key = key;
            this.resultFuture = resultFuture;
        }

        @Override
        public void found(CatalogRow row) {
            OUT output;
            try {
                output = mapper.found(input, row);
            } catch (Exception e) {
                resultFuture.completeExceptionally(new CatalogLookupException("Mapping the row of id '" + key
                        + "' of catalog table " + table.table() + " failed: " + e, false, e));
                return;
            }
            resultFuture.complete(Collections.singletonList(output));
        }

        @Override
        public void missing() {
            OUT output;
            try {
                output = mapper.missing(input);
            } catch (RuntimeException e) {
                resultFuture.completeExceptionally(new CatalogLookupException("Mapping the missing row of id '"
                        + key + "' of catalog table " + table.table() + " failed: " + e, false, e));
                return;
            }
            resultFuture.complete(Collections.singletonList(output));
        }

        @Override
        public void failed(CatalogLookupException error) {
            resultFuture.completeExceptionally(error);
        }
    }

    /** Retries outputs that stand for a missing row. */
    private static final class MissingRowOutput<OUT> implements Predicate<Collection<OUT>>, Serializable {

        private static final long serialVersionUID = 1L;

        private final EnrichmentMapper<?, OUT> mapper;

        MissingRowOutput(EnrichmentMapper<?, OUT> mapper) {
            this.mapper = mapper;
        }

        @Override
        public boolean test(Collection<OUT> outputs) {
            for (OUT output : outputs) {
                if (mapper.isMissing(output)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Retries transient lookup failures. */
    private static final class RetryableFailure implements Predicate<Throwable>, Serializable {

        private static final long serialVersionUID = 1L;

        @Override
        public boolean test(Throwable error) {
            return CatalogLookupException.isRetryable(error);
        }
    }

    /**
     * Builds a {@link JdbcEnrichmentFunction}; options, table, key selector, mapper and output type are required.
     *
     * @param <IN>  input type
     * @param <OUT> output type
     */
    public static final class Builder<IN, OUT> {

        private JdbcEnrichmentOptions options;
        private CatalogTable table;
        private KeySelector<IN, String> keySelector;
        private EnrichmentMapper<IN, OUT> mapper;
        private TypeInformation<OUT> outputType;
        private CatalogBackendFactory backendFactory = JdbcCatalogBackend.factory();
        private Ticker cacheTicker;

        private Builder() {
        }

        /**
         * Sets the connection, batching, retry and cache settings.
         *
         * @param options the options
         * @return this builder
         */
        public Builder<IN, OUT> setOptions(JdbcEnrichmentOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Sets the table and its column mapping.
         *
         * @param table the table mapping
         * @return this builder
         */
        public Builder<IN, OUT> setTable(CatalogTable table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /**
         * Sets how to get the lookup key (the id column's value, as text) from a record.
         *
         * @param keySelector e.g. {@code BookChange::bookId}
         * @return this builder
         */
        public Builder<IN, OUT> setKeySelector(KeySelector<IN, String> keySelector) {
            this.keySelector = Objects.requireNonNull(keySelector, "keySelector");
            return this;
        }

        /**
         * Sets how records and rows become outputs.
         *
         * @param mapper the mapper
         * @return this builder
         */
        public Builder<IN, OUT> setMapper(EnrichmentMapper<IN, OUT> mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * Sets the output type (Flink cannot infer it through the generic function).
         *
         * @param outputType e.g. {@code TypeInformation.of(EnrichedBook.class)}
         * @return this builder
         */
        public Builder<IN, OUT> setOutputType(TypeInformation<OUT> outputType) {
            this.outputType = Objects.requireNonNull(outputType, "outputType");
            return this;
        }

        /**
         * Sets the time source of the cache's expiry, for tests; the system ticker unless set.
         *
         * @param ticker a ticker that is also {@link Serializable}
         * @return this builder
         */
        public Builder<IN, OUT> setCacheTicker(Ticker ticker) {
            if (!(ticker instanceof Serializable)) {
                throw new IllegalArgumentException("The cache ticker travels with the function, so it must be "
                        + "Serializable; got " + ticker);
            }
            this.cacheTicker = ticker;
            return this;
        }

        /** Replaces the JDBC backend, for tests and benchmarks. */
        Builder<IN, OUT> setBackendFactory(CatalogBackendFactory backendFactory) {
            this.backendFactory = Objects.requireNonNull(backendFactory, "backendFactory");
            return this;
        }

        /**
         * Builds the function.
         *
         * @return the function
         * @throws IllegalStateException if a required setting is missing
         */
        public JdbcEnrichmentFunction<IN, OUT> build() {
            if (options == null) {
                throw new IllegalStateException("No options: call setOptions");
            }
            if (table == null) {
                throw new IllegalStateException("No table: call setTable");
            }
            if (keySelector == null) {
                throw new IllegalStateException("No key selector: call setKeySelector");
            }
            if (mapper == null) {
                throw new IllegalStateException("No mapper: call setMapper");
            }
            if (outputType == null) {
                throw new IllegalStateException("No output type: call setOutputType");
            }
            return new JdbcEnrichmentFunction<>(this);
        }
    }
}
