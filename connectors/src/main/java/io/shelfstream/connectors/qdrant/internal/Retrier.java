package io.shelfstream.connectors.qdrant.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Runs a Qdrant call, retrying transient errors with exponential backoff (each wait jittered into
 * {@code [backoff/2, backoff]} so parallel subtasks do not retry in lock step).
 *
 * <p>Transient: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED and ABORTED. Every other status is permanent
 * and fails at once. An interrupt ends the wait and propagates as {@link InterruptedException}; {@link #close()}
 * ends a wait at once, so a cancelled task does not sit out its backoff.
 */
public final class Retrier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    /** Waits before a retry; returns false if the wait was cut short because the retrier closed. */
    @FunctionalInterface
    public interface Pause {
        boolean pause(Duration duration) throws InterruptedException;
    }

    /** One blocking Qdrant call. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws InterruptedException;
    }

    private final RetryPolicy policy;
    private final SinkMetrics metrics;
    private final Pause pause;
    private final DoubleSupplier jitter;
    private final CountDownLatch closed = new CountDownLatch(1);

    /** A retrier that waits in real time. */
    public Retrier(RetryPolicy policy, SinkMetrics metrics) {
        this.policy = policy;
        this.metrics = metrics;
        this.pause = d -> !closed.await(d.toNanos(), TimeUnit.NANOSECONDS);
        this.jitter = () -> ThreadLocalRandom.current().nextDouble();
    }

    /** A retrier with an injected pause and jitter source (values in [0, 1)), for tests. */
    public Retrier(RetryPolicy policy, SinkMetrics metrics, Pause pause, DoubleSupplier jitter) {
        this.policy = policy;
        this.metrics = metrics;
        this.pause = pause;
        this.jitter = jitter;
    }

    /** Whether a status code is transient, so the same request may succeed later. */
    public static boolean isRetryable(Status.Code code) {
        switch (code) {
            case UNAVAILABLE:
            case DEADLINE_EXCEEDED:
            case RESOURCE_EXHAUSTED:
            case ABORTED:
                return true;
            default:
                return false;
        }
    }

    /**
     * Runs {@code call} until it succeeds, fails permanently, or the retries are spent.
     *
     * @param what a description for messages, e.g. "upsert of 256 point(s) in collection 'books'"
     * @throws QdrantRequestException with the last status when the call did not succeed
     */
    public <T> T call(String what, Call<T> call) throws QdrantRequestException, InterruptedException {
        for (int retry = 0; ; retry++) {
            long start = System.nanoTime();
            StatusRuntimeException failure;
            try {
                T result = call.run();
                metrics.latencyMs.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                metrics.requests.inc();
                return result;
            } catch (StatusRuntimeException e) {
                metrics.latencyMs.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                failure = e;
            }
            Status status = failure.getStatus();
            if (!isRetryable(status.getCode())) {
                throw new QdrantRequestException(what + " failed: Qdrant answered " + describe(status),
                        status.getCode(), failure);
            }
            if (retry >= policy.maxRetries()) {
                throw new QdrantRequestException(what + " failed after " + (retry + 1) + " attempt(s): Qdrant "
                        + "answered " + describe(status) + ". Check that Qdrant is reachable at the sink's "
                        + "endpoint; retries and backoff are set with setMaxRetries and setRetryBackoff.",
                        status.getCode(), failure);
            }
            Duration backoff = policy.backoffBefore(retry + 1);
            Duration wait = Duration.ofNanos((long) (backoff.toNanos() * (0.5 + 0.5 * jitter.getAsDouble())));
            LOG.warn("{} failed with {} (attempt {} of {}); retrying in {} ms", what, describe(status), retry + 1,
                    policy.maxRetries() + 1, wait.toMillis());
            metrics.retries.inc();
            if (!pause.pause(wait)) {
                throw new QdrantRequestException(what + " abandoned: the sink is closing; last answer "
                        + describe(status), status.getCode(), failure);
            }
        }
    }

    static String describe(Status status) {
        return status.getDescription() == null ? status.getCode().toString()
                : status.getCode() + " \"" + status.getDescription() + "\"";
    }

    /** Ends any wait at once; later calls still run but do not wait before retries. */
    @Override
    public void close() {
        closed.countDown();
    }
}
