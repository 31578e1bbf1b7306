package io.shelfstream.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shelfstream.embedding.testutils.FakeResource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ReferenceCountedRegistryTest {

    private final ReferenceCountedRegistry<String, FakeResource> registry = new ReferenceCountedRegistry<>();
    private final AtomicInteger creations = new AtomicInteger();

    private FakeResource create() {
        creations.incrementAndGet();
        return new FakeResource();
    }

    @Test
    void sharesOneResourcePerKeyAndClosesItWithTheLastLease() {
        ReferenceCountedRegistry.Lease<String, FakeResource> first = registry.acquire("a", this::create);
        ReferenceCountedRegistry.Lease<String, FakeResource> second = registry.acquire("a", this::create);
        ReferenceCountedRegistry.Lease<String, FakeResource> other = registry.acquire("b", this::create);

        assertThat(second.get()).isSameAs(first.get());
        assertThat(other.get()).isNotSameAs(first.get());
        assertThat(creations).hasValue(2);
        assertThat(registry.references("a")).isEqualTo(2);

        first.close();
        first.close(); // idempotent: does not give back the second lease's reference
        assertThat(registry.references("a")).isEqualTo(1);
        assertThat(second.get().isClosed()).isFalse();

        second.close();
        assertThat(registry.references("a")).isZero();
        assertThat(second.get().closeCount()).isEqualTo(1);
        assertThat(other.get().isClosed()).isFalse();
        other.close();
    }

    @Test
    void createsAFreshResourceAfterTheLastRelease() {
        ReferenceCountedRegistry.Lease<String, FakeResource> first = registry.acquire("a", this::create);
        FakeResource old = first.get();
        first.close();

        try (ReferenceCountedRegistry.Lease<String, FakeResource> again = registry.acquire("a", this::create)) {
            assertThat(again.get()).isNotSameAs(old);
            assertThat(again.get().isClosed()).isFalse();
        }
        assertThat(creations).hasValue(2);
    }

    @Test
    void failedCreationReachesTheCallerAndLeavesTheKeyFree() {
        assertThatThrownBy(
                        () ->
                                registry.acquire(
                                        "a",
                                        () -> {
                                            throw new IllegalStateException("no GPU");
                                        }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no GPU");
        assertThat(registry.references("a")).isZero();

        try (ReferenceCountedRegistry.Lease<String, FakeResource> lease = registry.acquire("a", this::create)) {
            assertThat(lease.get().isClosed()).isFalse();
        }
    }

    @Test
    void concurrentFirstUsersWaitForOneCreation() throws Exception {
        CountDownLatch creating = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ReferenceCountedRegistry.Lease<String, FakeResource>>> leases = new ArrayList<>();
            leases.add(
                    pool.submit(
                            () ->
                                    registry.acquire(
                                            "slow",
                                            () -> {
                                                creating.countDown();
                                                release.await();
                                                return create();
                                            })));
            assertThat(creating.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 3; i++) {
                leases.add(pool.submit(() -> registry.acquire("slow", this::create)));
            }
            // the three late users are counted while they wait
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.references("slow") < 4 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(registry.references("slow")).isEqualTo(4);
            release.countDown();

            FakeResource shared = leases.get(0).get(10, TimeUnit.SECONDS).get();
            for (Future<ReferenceCountedRegistry.Lease<String, FakeResource>> lease : leases) {
                assertThat(lease.get(10, TimeUnit.SECONDS).get()).isSameAs(shared);
            }
            assertThat(creations).hasValue(1);
            for (Future<ReferenceCountedRegistry.Lease<String, FakeResource>> lease : leases) {
                lease.get().close();
            }
            assertThat(shared.closeCount()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
