package io.shelfstream.connectors.lookup.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.shelfstream.connectors.lookup.CatalogLookupException;
import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.testutils.FakeCatalogBackend;
import io.shelfstream.connectors.testutils.ManualTicker;

class LookupCoordinatorTest {

    private final ExecutorService io = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final LookupMetrics metrics = LookupMetrics.unregistered();

    @AfterEach
    void stopThreads() {
        io.shutdownNow();
        scheduler.shutdownNow();
    }

    private LookupCoordinator coordinator(CatalogBackend backend, int batchSize, Duration delay, int pool,
            Duration forgetAfter, Cache<String, CatalogRow> cache) {
        return new LookupCoordinator(backend, "books", batchSize, delay, pool, forgetAfter, cache, io, scheduler,
                System::nanoTime, metrics);
    }

    @Test
    void aLookupCompletingAfterALaterOneOfItsKeyTakesTheLaterOnesRow() throws Exception {
        FakeCatalogBackend catalog = FakeCatalogBackend.create();
        LookupCoordinator c = coordinator(catalog, 10, Duration.ZERO, 2, Duration.ofMinutes(1), null);
        Object first = new Object();
        Object second = new Object();

        Outcome a1 = new Outcome();
        c.submit(first, "k", a1);
        assertThat(a1.await()).isEqualTo("missing");

        catalog.putTitle("k", "v1");
        Outcome b = new Outcome();
        c.submit(second, "k", b);
        assertThat(b.await()).isEqualTo("v1");

        catalog.putTitle("k", "v2");
        Outcome a2 = new Outcome();
        c.submit(first, "k", a2); // the retry of the first lookup reads v2 ...
        assertThat(a2.await()).isEqualTo("v1"); // ... but must not carry a newer row than the later lookup
        assertThat(catalog.fetches()).hasSize(3);
        assertThat(metrics.keyOrderAdoptions().getCount()).isEqualTo(1);
        assertThat(metrics.retries().getCount()).isEqualTo(1);
        assertThat(metrics.lookups().getCount()).isEqualTo(2);
        assertThat(c.trackedKeys()).isZero();

        Outcome later = new Outcome();
        c.submit(new Object(), "k", later);
        assertThat(later.await()).isEqualTo("v2");
    }

    @Test
    void readsOfOneKeyNeverOverlapWhileOtherKeysGoAhead() throws Exception {
        FakeCatalogBackend catalog = FakeCatalogBackend.create().putTitle("k", "K").putTitle("j", "J");
        LookupCoordinator c = coordinator(catalog, 10, Duration.ZERO, 4, Duration.ofMinutes(1), null);
        catalog.pause();
        Outcome k1 = new Outcome();
        Outcome k2 = new Outcome();
        Outcome j = new Outcome();
        c.submit(new Object(), "k", k1);
        c.submit(new Object(), "k", k2);
        c.submit(new Object(), "j", j);
        waitFor(() -> catalog.fetchCount() == 2);
        assertThat(catalog.fetches()).containsExactlyInAnyOrder(List.of("k"), List.of("j"));
        assertThat(c.pendingLookups()).isEqualTo(3);
        catalog.resume();
        assertThat(k1.await()).isEqualTo("K");
        assertThat(k2.await()).isEqualTo("K");
        assertThat(j.await()).isEqualTo("J");
        assertThat(catalog.fetches()).hasSize(3).last().isEqualTo(List.of("k"));
        assertThat(catalog.overlapSeen()).isFalse();
        assertThat(catalog.maxConcurrentFetches()).isEqualTo(2);
    }

    @Test
    void batchesFormBySizeAndByDelayAndShareOneReadPerKey() throws Exception {
        FakeCatalogBackend catalog = FakeCatalogBackend.create();
        for (int i = 0; i < 10; i++) {
            catalog.putTitle("k" + i, "T" + i);
        }
        LookupCoordinator c = coordinator(catalog, 3, Duration.ofMillis(300), 1, Duration.ofMinutes(1), null);
        List<Outcome> outcomes = new ArrayList<>();
        for (String key : List.of("k1", "k2", "k1", "k3", "k4")) {
            Outcome o = new Outcome();
            outcomes.add(o);
            c.submit(new Object(), key, o);
        }
        // three lookups filled a batch at once (two ids: k1 twice, k2); k3 and k4 wait for the next trigger
        waitFor(() -> catalog.fetchCount() >= 1);
        assertThat(catalog.fetches().get(0)).containsExactly("k1", "k2");
        long start = System.nanoTime();
        for (Outcome o : outcomes) {
            o.await();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(catalog.fetches()).containsExactly(List.of("k1", "k2"), List.of("k3", "k4"));
        assertThat(outcomes.get(2).await()).isEqualTo("T1");
        assertThat(metrics.dbRoundTrips().getCount()).isEqualTo(2);
        assertThat(metrics.batchSize().getStatistics().getMax()).isEqualTo(2);
    }

    @Test
    void failedBatchesAreReportedWithWhetherARetryMayHelp() throws Exception {
        FakeCatalogBackend catalog = FakeCatalogBackend.create().putTitle("k", "K");
        LookupCoordinator c = coordinator(catalog, 10, Duration.ZERO, 1, Duration.ofMinutes(1), null);
        Object input = new Object();

        catalog.failNext(1, new SQLTransientConnectionException("pool timeout"));
        Outcome transientFailure = new Outcome();
        c.submit(input, "k", transientFailure);
        assertThat(transientFailure.await()).isEqualTo("failed retryable");

        catalog.failNext(1, new SQLException("FATAL: terminating connection due to administrator command", "57P01"));
        Outcome shutdown = new Outcome();
        c.submit(input, "k", shutdown);
        assertThat(shutdown.await()).isEqualTo("failed retryable");

        catalog.failNext(1, new SQLException("column \"title\" does not exist", "42703"));
        Outcome badColumn = new Outcome();
        c.submit(input, "k", badColumn);
        assertThat(badColumn.await()).isEqualTo("failed permanent");
        assertThat(badColumn.error.get()).hasMessageContaining("catalog table books")
                .hasMessageContaining("column \"title\" does not exist");

        Outcome recovered = new Outcome();
        c.submit(input, "k", recovered);
        assertThat(recovered.await()).isEqualTo("K");
        assertThat(metrics.retries().getCount()).isEqualTo(3);
        assertThat(metrics.lookupErrors().getCount()).isEqualTo(3);
    }

    @Test
    void cacheServesOnlyKeysWithoutALookupInProgressAndExpires() throws Exception {
        FakeCatalogBackend catalog = FakeCatalogBackend.create().putTitle("k", "v1");
        ManualTicker ticker = ManualTicker.create();
        Cache<String, CatalogRow> cache = Caffeine.newBuilder().maximumSize(100)
                .expireAfterWrite(Duration.ofSeconds(10)).ticker(ticker).executor(Runnable::run).build();
        LookupCoordinator c = coordinator(catalog, 10, Duration.ZERO, 2, Duration.ofMinutes(1), cache);

        assertThat(lookup(c, "k")).isEqualTo("v1");
        catalog.putTitle("k", "v2");
        assertThat(lookup(c, "k")).isEqualTo("v1"); // a hit: up to ttl stale
        assertThat(catalog.fetchCount()).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(10).plusMillis(1));
        assertThat(lookup(c, "k")).isEqualTo("v2");
        assertThat(catalog.fetchCount()).isEqualTo(2);

        // a lookup in progress for the key (here one waiting for a retry) turns the cache off for that key
        Object waiting = new Object();
        ticker.advance(Duration.ofSeconds(11));
        catalog.remove("k");
        Outcome missing = new Outcome();
        c.submit(waiting, "k", missing);
        assertThat(missing.await()).isEqualTo("missing");
        assertThat(cache.getIfPresent("k")).as("a missing row evicts the key").isNull();
        cache.put("k", FakeCatalogBackend.row("k", "title", "stale"));
        catalog.putTitle("k", "v3");
        assertThat(lookup(c, "k")).isEqualTo("v3");
        assertThat(metrics.cacheHits().getCount()).isEqualTo(1);
        assertThat(metrics.cacheMisses().getCount()).isEqualTo(4);
        assertThat(metrics.cacheHitRatio()).isEqualTo(0.2);
    }

    @Test
    void lookupsLeftWithoutARowAreForgottenAfterTheRetentionTime() throws Exception {
        FakeCatalogBackend catalog = FakeCatalogBackend.create();
        LookupCoordinator c = coordinator(catalog, 10, Duration.ZERO, 1, Duration.ofMillis(200), null);
        Object input = new Object();
        Outcome missing = new Outcome();
        c.submit(input, "k", missing);
        assertThat(missing.await()).isEqualTo("missing");
        assertThat(c.trackedKeys()).isEqualTo(1);
        waitFor(() -> c.trackedKeys() == 0);
        catalog.putTitle("k", "K");
        Outcome again = new Outcome();
        c.submit(input, "k", again);
        assertThat(again.await()).isEqualTo("K");
        assertThat(metrics.retries().getCount()).as("a forgotten lookup starts over").isZero();
        assertThat(metrics.lookups().getCount()).isEqualTo(2);
    }

    @Test
    void abandonedLookupsAreDroppedFromTheQueue() throws Exception {
        FakeCatalogBackend catalog = FakeCatalogBackend.create().putTitle("k", "K").putTitle("j", "J");
        LookupCoordinator c = coordinator(catalog, 10, Duration.ZERO, 1, Duration.ofMinutes(1), null);
        catalog.pause();
        Outcome running = new Outcome();
        c.submit(new Object(), "k", running);
        waitFor(() -> catalog.fetchCount() == 1);
        Object queued = new Object();
        Outcome dropped = new Outcome();
        c.submit(queued, "j", dropped);
        assertThat(c.pendingLookups()).isEqualTo(2);
        c.abandon(queued);
        assertThat(c.pendingLookups()).isEqualTo(1);
        catalog.resume();
        assertThat(running.await()).isEqualTo("K");
        assertThat(catalog.fetches()).containsExactly(List.of("k"));
        assertThat(dropped.result.getCount()).isEqualTo(1);
    }

    /**
     * Many lookups of few keys while the catalog changes on every read, reads fail or miss at random and failed or
     * missing lookups are retried after random delays (as Flink's retry strategy would): per key, rows never go back
     * in arrival order, and each row was read after its lookup arrived.
     */
    @Test
    void rowsNeverGoBackInArrivalOrderUnderRetriesAndConcurrency() throws Exception {
        int scale = Integer.getInteger("shelfstream.test.scale", 1);
        int lookups = 3000 * scale;
        Random random = new Random(7);
        VersioningCatalog catalog = new VersioningCatalog(new Random(11));
        LookupCoordinator c = coordinator(catalog, 16, Duration.ofMillis(1), 4, Duration.ofMinutes(1), null);
        String[] keys = new String[20];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "k" + i;
        }
        long[] versionAtArrival = new long[lookups];
        String[] keyOf = new String[lookups];
        AtomicLong[] result = new AtomicLong[lookups];
        CountDownLatch done = new CountDownLatch(lookups);
        for (int i = 0; i < lookups; i++) {
            int index = i;
            keyOf[i] = keys[random.nextInt(keys.length)];
            result[i] = new AtomicLong(-1);
            versionAtArrival[i] = catalog.version(keyOf[i]);
            Object input = new Object();
            LookupCoordinator.Completion[] self = new LookupCoordinator.Completion[1];
            self[0] = new LookupCoordinator.Completion() {
                @Override
                public void found(CatalogRow row) {
                    result[index].set((Long) row.get("version"));
                    done.countDown();
                }

                @Override
                public void missing() {
                    retryLater();
                }

                @Override
                public void failed(CatalogLookupException error) {
                    assertThat(error.isRetryable()).isTrue();
                    retryLater();
                }

                private void retryLater() {
                    scheduler.schedule(() -> c.submit(input, keyOf[index], self[0]),
                            ThreadLocalRandomHolder.delayMicros(), TimeUnit.MICROSECONDS);
                }
            };
            c.submit(input, keyOf[i], self[0]);
            if (i % 50 == 0) {
                Thread.sleep(1);
            }
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).as("every lookup completed").isTrue();

        Map<String, Long> last = new HashMap<>();
        for (int i = 0; i < lookups; i++) {
            long version = result[i].get();
            assertThat(version).as("lookup %d read after it arrived", i).isGreaterThan(versionAtArrival[i]);
            Long previous = last.put(keyOf[i], version);
            if (previous != null) {
                assertThat(version).as("lookup %d of %s", i, keyOf[i]).isGreaterThanOrEqualTo(previous);
            }
        }
        assertThat(catalog.overlapSeen).as("two reads of one key at once").isFalse();
        assertThat(metrics.retries().getCount()).isPositive();
        assertThat(metrics.keyOrderAdoptions().getCount()).as("the scenario exercised out-of-order completions")
                .isPositive();
        assertThat(c.trackedKeys()).isZero();
    }

    /** A catalog whose rows get a new version on every read; reads fail or miss at random. */
    private static final class VersioningCatalog implements CatalogBackend {
        private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
        private final Map<String, Boolean> reading = new ConcurrentHashMap<>();
        private final Random random;
        volatile boolean overlapSeen;

        VersioningCatalog(Random random) {
            this.random = random;
        }

        long version(String key) {
            return versions.computeIfAbsent(key, k -> new AtomicLong()).get();
        }

        @Override
        public Map<String, CatalogRow> fetch(List<String> ids) throws Exception {
            for (String id : ids) {
                if (reading.putIfAbsent(id, true) != null) {
                    overlapSeen = true;
                }
            }
            try {
                int roll;
                synchronized (random) {
                    roll = random.nextInt(100);
                }
                Thread.sleep(0, 200_000);
                if (roll < 5) {
                    throw new SQLTransientConnectionException("flaky");
                }
                Map<String, CatalogRow> rows = new HashMap<>();
                for (String id : ids) {
                    long v = versions.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
                    if (roll < 15 && rows.isEmpty()) {
                        continue; // one id of some batches is "not there yet"
                    }
                    rows.put(id, new CatalogRow(id, Map.of("version", v)));
                }
                return rows;
            } finally {
                ids.forEach(reading::remove);
            }
        }

        @Override
        public void close() {
        }
    }

    private static final class ThreadLocalRandomHolder {
        static long delayMicros() {
            return java.util.concurrent.ThreadLocalRandom.current().nextLong(100, 3000);
        }
    }

    private static String lookup(LookupCoordinator c, String key) throws Exception {
        Outcome o = new Outcome();
        c.submit(new Object(), key, o);
        return o.await();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** Records the one result of an attempt as text: the title, "missing" or "failed ...". */
    private static final class Outcome implements LookupCoordinator.Completion {
        final CountDownLatch result = new CountDownLatch(1);
        final AtomicReference<String> text = new AtomicReference<>();
        final AtomicReference<CatalogLookupException> error = new AtomicReference<>();

        @Override
        public void found(CatalogRow row) {
            text.set(row.getString("title"));
            result.countDown();
        }

        @Override
        public void missing() {
            text.set("missing");
            result.countDown();
        }

        @Override
        public void failed(CatalogLookupException e) {
            error.set(e);
            text.set(e.isRetryable() ? "failed retryable" : "failed permanent");
            result.countDown();
        }

        String await() throws InterruptedException {
            assertThat(result.await(10, TimeUnit.SECONDS)).as("lookup completed").isTrue();
            return text.get();
        }
    }
}
