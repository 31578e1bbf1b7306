package io.shelfstream.connectors.qdrant.internal;

import java.io.Serializable;
import java.time.Duration;

/**
 * How often and how patiently a Qdrant request is retried after a transient error: exponential backoff from
 * {@code initialBackoff}, doubling per retry up to {@code maxBackoff}, at most {@code maxRetries} retries.
 *
 * @param maxRetries     retries after the first attempt; 0 disables retries
 * @param initialBackoff wait before the first retry
 * @param maxBackoff     longest wait between two attempts
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) implements Serializable {

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, got " + maxRetries);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative");
        }
    }

    /**
     * The wait before retry number {@code retry} (1-based), without jitter: {@code initialBackoff * 2^(retry-1)},
     * capped at {@code maxBackoff}.
     */
    public Duration backoffBefore(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry is 1-based, got " + retry);
        }
        long initial = initialBackoff.toNanos();
        long max = maxBackoff.toNanos();
        int shift = Math.min(retry - 1, 62);
        long delay = initial > (max >> shift) ? max : initial << shift;
        return Duration.ofNanos(Math.min(delay, max));
    }
}
