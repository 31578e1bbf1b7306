package io.shelfstream.job.embed;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How many records an {@link EmbeddingOperator} gathers before it calls the model, and how long it waits for them.
 *
 * <p>A batch is embedded as soon as it holds {@link #maxRecords()} texts or {@link #maxTokens()} tokens (the
 * model's tokens, special tokens included, before padding), or when {@link #linger()} has passed since its first
 * text arrived, whichever comes first; and always before a checkpoint barrier and at the end of input. The
 * embedder orders each batch by length and cuts it into padded sub-batches of its own (see
 * {@code EmbedderOptions#maxBatchRecords()}), so a batch several sub-batches long wastes less padding than one
 * sub-batch long.
 *
 * <p>Defaults: {@value #DEFAULT_MAX_RECORDS} records, {@value #DEFAULT_MAX_TOKENS} tokens, a linger of
 * {@value #DEFAULT_LINGER_MILLIS} ms. Immutable and {@link Serializable}; every setter validates at once.
 *
 * <pre>{@code
 * EmbeddingBatchOptions options = EmbeddingBatchOptions.builder()
 *         .setMaxRecords(128)
 *         .setLinger(Duration.ofMillis(50))
 *         .build();
 * }</pre>
 */
public final class EmbeddingBatchOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default maximum of texts per batch. */
    public static final int DEFAULT_MAX_RECORDS = 256;

    /** Default maximum of tokens per batch: 256 texts of 128 tokens. */
    public static final int DEFAULT_MAX_TOKENS = 32_768;

    /** Default linger in milliseconds. */
    public static final long DEFAULT_LINGER_MILLIS = 200;

    private static final EmbeddingBatchOptions DEFAULTS = new Builder().build();

    private final int maxRecords;
    private final int maxTokens;
    private final long lingerMillis;

    private EmbeddingBatchOptions(Builder builder) {
        this.maxRecords = builder.maxRecords;
        this.maxTokens = builder.maxTokens;
        this.lingerMillis = builder.lingerMillis;
    }

    /**
     * Returns the options with every default.
     *
     * @return the defaults
     */
    public static EmbeddingBatchOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a builder with every default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the maximum of texts per batch.
     *
     * @return a positive count
     */
    public int maxRecords() {
        return maxRecords;
    }

    /**
     * Returns the maximum of tokens per batch; a single longer text still forms a batch of its own.
     *
     * @return a positive count
     */
    public int maxTokens() {
        return maxTokens;
    }

    /**
     * Returns how long the first text of a batch waits for others.
     *
     * @return a positive duration
     */
    public Duration linger() {
        return Duration.ofMillis(lingerMillis);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EmbeddingBatchOptions)) {
            return false;
        }
        EmbeddingBatchOptions other = (EmbeddingBatchOptions) o;
        return maxRecords == other.maxRecords && maxTokens == other.maxTokens && lingerMillis == other.lingerMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxRecords, maxTokens, lingerMillis);
    }

    @Override
    public String toString() {
        return "EmbeddingBatchOptions{maxRecords=" + maxRecords + ", maxTokens=" + maxTokens + ", linger="
                + lingerMillis + "ms}";
    }

    /** Builds {@link EmbeddingBatchOptions}. */
    public static final class Builder {

        private int maxRecords = DEFAULT_MAX_RECORDS;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private long lingerMillis = DEFAULT_LINGER_MILLIS;

        private Builder() {
        }

        /**
         * Sets the maximum of texts per batch. Default {@value EmbeddingBatchOptions#DEFAULT_MAX_RECORDS}.
         *
         * @param maxRecords at least 1
         * @return this builder
         */
        public Builder setMaxRecords(int maxRecords) {
            if (maxRecords < 1) {
                throw new IllegalArgumentException("maxRecords must be >= 1 (texts per batch), was " + maxRecords);
            }
            this.maxRecords = maxRecords;
            return this;
        }

        /**
         * Sets the maximum of tokens per batch. Default {@value EmbeddingBatchOptions#DEFAULT_MAX_TOKENS}.
         *
         * @param maxTokens at least 1
         * @return this builder
         */
        public Builder setMaxTokens(int maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException(
                        "maxTokens must be >= 1 (model tokens per batch, before padding), was " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * Sets how long the first text of a batch waits for others. Default
         * {@value EmbeddingBatchOptions#DEFAULT_LINGER_MILLIS} ms.
         *
         * @param linger at least 1 ms
         * @return this builder
         */
        public Builder setLinger(Duration linger) {
            Objects.requireNonNull(linger, "linger must not be null");
            if (linger.toMillis() < 1) {
                throw new IllegalArgumentException(
                        "linger must be at least 1 ms (a batch waits this long for more texts), was " + linger);
            }
            this.lingerMillis = linger.toMillis();
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public EmbeddingBatchOptions build() {
            return new EmbeddingBatchOptions(this);
        }
    }
}
