package io.shelfstream.connectors.qdrant.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.shelfstream.connectors.testutils.RecordingPause;

class RetrierTest {

    private final SinkMetrics metrics = new SinkMetrics(new UnregisteredMetricsGroup());
    private final RecordingPause pause = new RecordingPause();

    private Retrier retrier(int maxRetries, double jitter) {
        return new Retrier(new RetryPolicy(maxRetries, Duration.ofMillis(100), Duration.ofMillis(1000)), metrics,
                pause, () -> jitter);
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(1000));
        assertThat(policy.backoffBefore(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.backoffBefore(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.backoffBefore(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.backoffBefore(5)).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.backoffBefore(200)).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void transientErrorsAreRetriedWithJitteredBackoffUntilTheCallSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Status.Code[] codes = {Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
                Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED};
        String result = retrier(5, 0.0).call("test call", () -> {
            int n = attempts.getAndIncrement();
            if (n < codes.length) {
                throw codes[n].toStatus().asRuntimeException();
            }
            return "ok";
        });
        assertThat(result).isEqualTo("ok");
        assertThat(pause.waits()).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100),
                Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(metrics.retries()).isEqualTo(4);
        assertThat(metrics.requests()).isEqualTo(1);
    }

    @Test
    void jitterStaysWithinHalfAndFullBackoff() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        retrier(1, 0.999).call("test call", () -> {
            if (attempts.getAndIncrement() == 0) {
                throw Status.UNAVAILABLE.asRuntimeException();
            }
            return null;
        });
        assertThat(pause.waits()).singleElement().satisfies(d ->
                assertThat(d).isBetween(Duration.ofMillis(50), Duration.ofMillis(100)));
    }

    @Test
    void permanentErrorsFailAtOnceWithQdrantsMessage() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retrier(5, 0).call("upsert of 1 point(s)", () -> {
            attempts.incrementAndGet();
            throw Status.INVALID_ARGUMENT.withDescription("Wrong input: bad").asRuntimeException();
        })).isInstanceOfSatisfying(QdrantRequestException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e).hasMessageContaining("upsert of 1 point(s)").hasMessageContaining("Wrong input: bad");
        });
        assertThat(attempts).hasValue(1);
        assertThat(pause.waits()).isEmpty();
    }

    @Test
    void transientErrorsOutlastingTheRetriesFailAsRetryable() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retrier(3, 0).call("upsert", () -> {
            attempts.incrementAndGet();
            throw Status.UNAVAILABLE.asRuntimeException();
        })).isInstanceOfSatisfying(QdrantRequestException.class, e -> {
            assertThat(e.isRetryable()).isTrue();
            assertThat(e).hasMessageContaining("after 4 attempt(s)").hasMessageContaining("setMaxRetries");
        });
        assertThat(attempts).hasValue(4);
        assertThat(pause.waits()).hasSize(3);
    }

    @Test
    void closingEndsAWaitAndTheRetries() throws Exception {
        Retrier real = new Retrier(new RetryPolicy(3, Duration.ofSeconds(30), Duration.ofSeconds(30)), metrics);
        real.close();
        long start = System.nanoTime();
        assertThatThrownBy(() -> real.call("upsert", () -> {
            throw Status.UNAVAILABLE.asRuntimeException();
        })).hasMessageContaining("closing");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anInterruptDuringTheWaitPropagates() {
        Retrier real = new Retrier(new RetryPolicy(3, Duration.ofSeconds(30), Duration.ofSeconds(30)), metrics);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> real.call("upsert", () -> {
                throw Status.UNAVAILABLE.asRuntimeException();
            })).isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
    }
}
