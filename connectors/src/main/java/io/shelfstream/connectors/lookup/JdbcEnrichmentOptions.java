package io.shelfstream.connectors.lookup;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a {@link JdbcEnrichmentFunction}: where the catalog is, and how lookups are pooled, batched,
 * bounded, retried and cached. Built with {@link #builder()}.
 *
 * <p>Defaults (the {@code DEFAULT_*} constants): {@value #DEFAULT_POOL_SIZE} connections, batches of up to
 * {@value #DEFAULT_BATCH_SIZE} ids sent after at most 10 ms, {@value #DEFAULT_CAPACITY} lookups in flight per
 * subtask, a 30 s timeout, {@value #DEFAULT_MAX_RETRIES} retries with exponential backoff from 100 ms to 2 s, no
 * cache.
 *
 * <p>Every setter validates its argument at once; {@link Builder#build()} rejects combinations that contradict each
 * other and says which setting to change. In particular the timeout must leave room for every retry of a missing row
 * (see {@link #missingRowRetryWindow()}): a missing row is meant to reach the caller's dead-letter path once its
 * retries are spent, while a timeout fails the job.
 *
 * <pre>{@code
 * JdbcEnrichmentOptions options = JdbcEnrichmentOptions.builder()
 *         .setJdbcUrl("jdbc:postgresql://pg:5432/catalog")
 *         .setUsername("reader").setPassword(secret)
 *         .setBatchSize(500)
 *         .setMaxBatchDelay(Duration.ofMillis(20))
 *         .build();
 * }</pre>
 */
public final class JdbcEnrichmentOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default number of JDBC connections, which is also the number of batches in flight, per subtask. */
    public static final int DEFAULT_POOL_SIZE = 4;
    /** Default longest wait for a connection from the pool before an attempt fails (and is retried). */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    /** Default largest number of distinct ids in one query. */
    public static final int DEFAULT_BATCH_SIZE = 200;
    /** Default longest time a lookup waits for its batch to fill before the batch is sent anyway. */
    public static final Duration DEFAULT_MAX_BATCH_DELAY = Duration.ofMillis(10);
    /** Default number of lookups in flight per subtask (the Async I/O capacity). */
    public static final int DEFAULT_CAPACITY = 1000;
    /** Default time a record may spend in the lookup, retries included, before the job fails. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Default number of retries of a missing row or a transient database error. */
    public static final int DEFAULT_MAX_RETRIES = 5;
    /** Default wait before the first retry. */
    public static final Duration DEFAULT_RETRY_INITIAL_DELAY = Duration.ofMillis(100);
    /** Default longest wait between two attempts. */
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(2);
    /** Default growth of the wait from one retry to the next. */
    public static final double DEFAULT_RETRY_MULTIPLIER = 2.0;
    /** Default cache size: 0, no cache, so every lookup reads the catalog. */
    public static final long DEFAULT_CACHE_MAX_ROWS = 0;
    /** Default time a cached row may be used after it was read, when the cache is on. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(10);

    /** Largest batch size accepted: PostgreSQL handles far larger arrays, but latency and memory grow with it. */
    public static final int MAX_BATCH_SIZE = 10_000;
    /** Smallest connection timeout HikariCP accepts. */
    public static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

    private final String jdbcUrl;
    private final String username;
    private final String password;
    private final int poolSize;
    private final Duration connectionTimeout;
    private final int batchSize;
    private final Duration maxBatchDelay;
    private final int capacity;
    private final Duration timeout;
    private final int maxRetries;
    private final Duration retryInitialDelay;
    private final Duration retryMaxDelay;
    private final double retryMultiplier;
    private final long cacheMaxRows;
    private final Duration cacheTtl;

    private JdbcEnrichmentOptions(Builder b) {
        this.jdbcUrl = b.jdbcUrl;
        this.username = b.username;
        this.password = b.password;
        this.poolSize = b.poolSize;
        this.connectionTimeout = b.connectionTimeout;
        this.batchSize = b.batchSize;
        this.maxBatchDelay = b.maxBatchDelay;
        this.capacity = b.capacity;
        this.timeout = b.timeout;
        this.maxRetries = b.maxRetries;
        this.retryInitialDelay = b.retryInitialDelay;
        this.retryMaxDelay = b.retryMaxDelay;
        this.retryMultiplier = b.retryMultiplier;
        this.cacheMaxRows = b.cacheMaxRows;
        this.cacheTtl = b.cacheTtl;
    }

    /**
     * Starts a builder with every default; only the JDBC URL has none.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a builder holding these options, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.jdbcUrl = jdbcUrl;
        b.username = username;
        b.password = password;
        b.poolSize = poolSize;
        b.connectionTimeout = connectionTimeout;
        b.batchSize = batchSize;
        b.maxBatchDelay = maxBatchDelay;
        b.capacity = capacity;
        b.timeout = timeout;
        b.maxRetries = maxRetries;
        b.retryInitialDelay = retryInitialDelay;
        b.retryMaxDelay = retryMaxDelay;
        b.retryMultiplier = retryMultiplier;
        b.cacheMaxRows = cacheMaxRows;
        b.cacheTtl = cacheTtl;
        return b;
    }

    /** @return the JDBC URL of the catalog database */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** @return the database user, or null to let the driver decide */
    public String username() {
        return username;
    }

    /** @return the password, or null */
    public String password() {
        return password;
    }

    /** @return the number of connections, and of batches in flight, per subtask */
    public int poolSize() {
        return poolSize;
    }

    /** @return the longest wait for a pooled connection */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** @return the largest number of distinct ids in one query */
    public int batchSize() {
        return batchSize;
    }

    /** @return the longest wait for a batch to fill */
    public Duration maxBatchDelay() {
        return maxBatchDelay;
    }

    /** @return the number of lookups in flight per subtask */
    public int capacity() {
        return capacity;
    }

    /** @return the time a record may spend in the lookup, retries included */
    public Duration timeout() {
        return timeout;
    }

    /** @return how often a missing row or a transient error is retried */
    public int maxRetries() {
        return maxRetries;
    }

    /** @return the wait before the first retry */
    public Duration retryInitialDelay() {
        return retryInitialDelay;
    }

    /** @return the longest wait between attempts */
    public Duration retryMaxDelay() {
        return retryMaxDelay;
    }

    /** @return the growth of the wait per retry */
    public double retryMultiplier() {
        return retryMultiplier;
    }

    /** @return the cache size in rows; 0 when the cache is off */
    public long cacheMaxRows() {
        return cacheMaxRows;
    }

    /** @return how long a cached row may be used after it was read */
    public Duration cacheTtl() {
        return cacheTtl;
    }

    /** @return whether rows are cached */
    public boolean isCacheEnabled() {
        return cacheMaxRows > 0;
    }

    /**
     * Returns the longest time a lookup whose row stays missing can spend waiting between and for its attempts:
     * every retry waiting {@link #retryMaxDelay()} (Flink's exponential strategy shares its last delay between the
     * records of an operator, so a retry may wait the maximum even early on) plus a batch delay per attempt.
     *
     * @return the worst-case retry window of a missing row
     */
    public Duration missingRowRetryWindow() {
        return retryMaxDelay.multipliedBy(maxRetries).plus(maxBatchDelay.multipliedBy(maxRetries + 1L));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JdbcEnrichmentOptions other && jdbcUrl.equals(other.jdbcUrl)
                && Objects.equals(username, other.username) && Objects.equals(password, other.password)
                && poolSize == other.poolSize && connectionTimeout.equals(other.connectionTimeout)
                && batchSize == other.batchSize && maxBatchDelay.equals(other.maxBatchDelay)
                && capacity == other.capacity && timeout.equals(other.timeout) && maxRetries == other.maxRetries
                && retryInitialDelay.equals(other.retryInitialDelay) && retryMaxDelay.equals(other.retryMaxDelay)
                && Double.compare(retryMultiplier, other.retryMultiplier) == 0 && cacheMaxRows == other.cacheMaxRows
                && cacheTtl.equals(other.cacheTtl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jdbcUrl, username, poolSize, connectionTimeout, batchSize, maxBatchDelay, capacity,
                timeout, maxRetries, retryInitialDelay, retryMaxDelay, retryMultiplier, cacheMaxRows, cacheTtl);
    }

    @Override
    public String toString() {
        return "JdbcEnrichmentOptions{jdbcUrl=" + jdbcUrl + ", username=" + username
                + ", password=" + (password == null || password.isEmpty() ? "(none)" : "***")
                + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + ", batchSize=" + batchSize
                + ", maxBatchDelay=" + maxBatchDelay + ", capacity=" + capacity + ", timeout=" + timeout
                + ", maxRetries=" + maxRetries + ", retryDelay=" + retryInitialDelay + ".." + retryMaxDelay
                + " x" + retryMultiplier + ", cache=" + (isCacheEnabled() ? cacheMaxRows + " rows for " + cacheTtl
                : "off") + "}";
    }

    /** Builds {@link JdbcEnrichmentOptions}; every setter validates its argument. */
    public static final class Builder {

        private String jdbcUrl;
        private String username;
        private String password;
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration maxBatchDelay = DEFAULT_MAX_BATCH_DELAY;
        private int capacity = DEFAULT_CAPACITY;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration retryInitialDelay = DEFAULT_RETRY_INITIAL_DELAY;
        private Duration retryMaxDelay = DEFAULT_RETRY_MAX_DELAY;
        private double retryMultiplier = DEFAULT_RETRY_MULTIPLIER;
        private long cacheMaxRows = DEFAULT_CACHE_MAX_ROWS;
        private Duration cacheTtl = DEFAULT_CACHE_TTL;

        private Builder() {
        }

        /**
         * Sets the catalog's JDBC URL (required). Lookups use PostgreSQL's {@code = ANY(array)}.
         *
         * @param jdbcUrl e.g. {@code jdbc:postgresql://pg:5432/catalog}
         * @return this builder
         */
        public Builder setJdbcUrl(String jdbcUrl) {
            if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
                throw new IllegalArgumentException("JDBC URL must start with 'jdbc:', e.g. "
                        + "jdbc:postgresql://host:5432/catalog, got '" + jdbcUrl + "'");
            }
            this.jdbcUrl = jdbcUrl;
            return this;
        }

        /**
         * Sets the database user; null or empty lets the driver use the URL's.
         *
         * @param username the user
         * @return this builder
         */
        public Builder setUsername(String username) {
            this.username = username == null || username.isEmpty() ? null : username;
            return this;
        }

        /**
         * Sets the password; null or empty for none.
         *
         * @param password the password
         * @return this builder
         */
        public Builder setPassword(String password) {
            this.password = password == null || password.isEmpty() ? null : password;
            return this;
        }

        /**
         * Sets the number of JDBC connections per subtask, which is also how many batches run at once.
         *
         * @param poolSize 1 to 256
         * @return this builder
         */
        public Builder setPoolSize(int poolSize) {
            this.poolSize = checkRange(poolSize, 1, 256, "pool size");
            return this;
        }

        /**
         * Sets the longest wait for a pooled connection; an attempt that waits longer fails and is retried.
         *
         * @param connectionTimeout at least 250 ms
         * @return this builder
         */
        public Builder setConnectionTimeout(Duration connectionTimeout) {
            if (connectionTimeout == null || connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
                throw new IllegalArgumentException("Connection timeout must be at least 250 ms, got "
                        + connectionTimeout);
            }
            this.connectionTimeout = connectionTimeout;
            return this;
        }

        /**
         * Sets the largest number of distinct ids in one query. 1 means one query per key.
         *
         * @param batchSize 1 to {@value #MAX_BATCH_SIZE}
         * @return this builder
         */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = checkRange(batchSize, 1, MAX_BATCH_SIZE, "batch size");
            return this;
        }

        /**
         * Sets how long a lookup may wait for its batch to fill. Zero sends whatever is waiting as soon as a
         * connection is free, so batches then form only while every connection is busy.
         *
         * @param maxBatchDelay zero or more, at most 10 s
         * @return this builder
         */
        public Builder setMaxBatchDelay(Duration maxBatchDelay) {
            if (maxBatchDelay == null || maxBatchDelay.isNegative()
                    || maxBatchDelay.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("Max batch delay must be between 0 and 10 s, got " + maxBatchDelay);
            }
            this.maxBatchDelay = maxBatchDelay;
            return this;
        }

        /**
         * Sets the Async I/O capacity: how many records may be in the lookup at once per subtask.
         *
         * @param capacity 1 to 1,000,000
         * @return this builder
         */
        public Builder setCapacity(int capacity) {
            this.capacity = checkRange(capacity, 1, 1_000_000, "capacity");
            return this;
        }

        /**
         * Sets the time a record may spend in the lookup, retries included. A record that takes longer fails the
         * job, which restarts from its last checkpoint.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder setTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("Timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets how often a lookup is retried when its row is missing or its query failed with a transient error.
         * A row still missing after the last retry is handed to the mapper as missing; an error after the last
         * retry fails the job.
         *
         * @param maxRetries 0 to 100
         * @return this builder
         */
        public Builder setMaxRetries(int maxRetries) {
            this.maxRetries = checkRange(maxRetries, 0, 100, "max retries");
            return this;
        }

        /**
         * Sets the exponential backoff between attempts.
         *
         * @param initialDelay the wait before the first retry, positive
         * @param maxDelay     the longest wait, at least the initial delay
         * @param multiplier   the growth per retry, at least 1
         * @return this builder
         */
        public Builder setRetryBackoff(Duration initialDelay, Duration maxDelay, double multiplier) {
            if (initialDelay == null || initialDelay.isNegative() || initialDelay.isZero()) {
                throw new IllegalArgumentException("Retry initial delay must be positive, got " + initialDelay);
            }
            if (maxDelay == null || maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("Retry max delay (" + maxDelay + ") must be at least the initial "
                        + "delay (" + initialDelay + ")");
            }
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("Retry multiplier must be a number >= 1, got " + multiplier);
            }
            this.retryInitialDelay = initialDelay;
            this.retryMaxDelay = maxDelay;
            this.retryMultiplier = multiplier;
            return this;
        }

        /**
         * Turns the row cache on or off. With a cache, a lookup may be answered by a row read up to {@code ttl}
         * earlier instead of reading the catalog (see {@link JdbcEnrichmentFunction} for what that means for
         * freshness). Missing rows are never cached.
         *
         * @param maxRows the most rows kept per subtask; 0 turns the cache off
         * @param ttl     how long a row may be used after it was read, positive
         * @return this builder
         */
        public Builder setCache(long maxRows, Duration ttl) {
            if (maxRows < 0) {
                throw new IllegalArgumentException("Cache size must be 0 (off) or positive, got " + maxRows);
            }
            if (ttl == null || ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("Cache TTL must be positive, got " + ttl);
            }
            this.cacheMaxRows = maxRows;
            this.cacheTtl = ttl;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalStateException if the JDBC URL is missing or settings contradict each other
         */
        public JdbcEnrichmentOptions build() {
            if (jdbcUrl == null) {
                throw new IllegalStateException("No JDBC URL: call setJdbcUrl");
            }
            if (batchSize > capacity) {
                throw new IllegalStateException("Batch size " + batchSize + " exceeds the capacity " + capacity
                        + ": a batch could never fill. Lower the batch size or raise the capacity");
            }
            if (connectionTimeout.compareTo(timeout) >= 0) {
                throw new IllegalStateException("Connection timeout " + connectionTimeout + " must be shorter than "
                        + "the timeout " + timeout + ", or a single slow connection attempt fails the job");
            }
            JdbcEnrichmentOptions options = new JdbcEnrichmentOptions(this);
            Duration window = options.missingRowRetryWindow();
            if (timeout.compareTo(window.multipliedBy(2)) < 0) {
                throw new IllegalStateException("Timeout " + timeout + " is too short for " + maxRetries
                        + " retries of up to " + retryMaxDelay + " each (a missing row may be retried for up to "
                        + window + "; the timeout must be at least twice that so the row reaches the dead-letter "
                        + "path instead of failing the job). Raise the timeout to at least " + window.multipliedBy(2)
                        + ", or lower the retries or the retry max delay");
            }
            return options;
        }

        private static int checkRange(int value, int min, int max, String what) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(Character.toUpperCase(what.charAt(0)) + what.substring(1)
                        + " must be in " + min + ".." + max + ", got " + value);
            }
            return value;
        }
    }
}
