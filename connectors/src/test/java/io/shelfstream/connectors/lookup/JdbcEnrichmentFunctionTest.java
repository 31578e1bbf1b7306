package io.shelfstream.connectors.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.Test;

import io.shelfstream.connectors.lookup.internal.LookupMetrics;
import io.shelfstream.connectors.testutils.AsyncLookupHarness;
import io.shelfstream.connectors.testutils.EnrichedEvent;
import io.shelfstream.connectors.testutils.FakeCatalogBackend;
import io.shelfstream.connectors.testutils.LookupEvent;
import io.shelfstream.connectors.testutils.ManualTicker;
import io.shelfstream.connectors.testutils.TitleMapper;

/**
 * The function inside Flink's real ordered Async I/O operator and retry strategy, against a fake catalog: the test
 * thread plays the task thread and moves processing time itself, so retries and timeouts happen exactly when the
 * test says.
 */
class JdbcEnrichmentFunctionTest {

    private static final CatalogTable TABLE = CatalogTable.builder().setTable("books").setIdColumn("book_id")
            .addField("title").build();

    private final FakeCatalogBackend catalog = FakeCatalogBackend.create();

    private static JdbcEnrichmentOptions.Builder options() {
        return JdbcEnrichmentOptions.builder()
                .setJdbcUrl("jdbc:postgresql://localhost:1/unused")
                .setMaxBatchDelay(Duration.ZERO)
                .setRetryBackoff(Duration.ofMillis(100), Duration.ofMillis(400), 2.0);
    }

    private JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> function(JdbcEnrichmentOptions.Builder options) {
        return JdbcEnrichmentFunction.<LookupEvent, EnrichedEvent>builder()
                .setOptions(options.build())
                .setTable(TABLE)
                .setKeySelector(LookupEvent::key)
                .setMapper(new TitleMapper())
                .setOutputType(TypeInformation.of(EnrichedEvent.class))
                .setBackendFactory(catalog.factory())
                .build();
    }

    private static LookupEvent event(String key, long seq) {
        return new LookupEvent(key, seq);
    }

    /** Lets Flink's retry timers fire, one backoff at a time, until {@code outputs} records came out. */
    private static List<EnrichedEvent> driveRetries(AsyncLookupHarness harness, int outputs) throws Exception {
        for (int i = 0; i < 50 && harness.outputs().size() < outputs && harness.failure().isEmpty(); i++) {
            harness.runMailsUntil(() -> harness.timers() > 1 || harness.outputs().size() >= outputs
                    || harness.failure().isPresent(), Duration.ofSeconds(10));
            harness.advance(Duration.ofMillis(400));
        }
        return harness.outputs();
    }

    @Test
    void lookupsAreBatchedBySizeAndShareOneReadPerKey() throws Exception {
        for (int i = 1; i <= 7; i++) {
            catalog.putTitle("k" + i, "Title " + i);
        }
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options()
                .setBatchSize(4).setMaxBatchDelay(Duration.ofSeconds(10)).setPoolSize(1).setMaxRetries(0));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            String[] keys = {"k1", "k2", "k1", "k3", "k4", "k5", "k6", "k7"};
            for (int i = 0; i < keys.length; i++) {
                harness.process(event(keys[i], i));
            }
            List<EnrichedEvent> out = harness.awaitOutputs(keys.length);
            assertThat(out).extracting(e -> e.event().seq()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(out).extracting(EnrichedEvent::title).containsExactly("Title 1", "Title 2", "Title 1",
                    "Title 3", "Title 4", "Title 5", "Title 6", "Title 7");
            assertThat(catalog.fetches()).containsExactly(List.of("k1", "k2", "k3"), List.of("k4", "k5", "k6", "k7"));
            LookupMetrics metrics = f.metrics();
            assertThat(metrics.lookups().getCount()).isEqualTo(8);
            assertThat(metrics.dbRoundTrips().getCount()).isEqualTo(2);
            assertThat(metrics.batchSize().getStatistics().getMean()).isEqualTo(3.5);
            assertThat(harness.failure()).isEmpty();
        }
    }

    @Test
    void aPartialBatchIsSentOnceItsOldestLookupWaitedTheMaxDelay() throws Exception {
        catalog.putTitle("a", "A").putTitle("b", "B");
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options()
                .setBatchSize(100).setMaxBatchDelay(Duration.ofMillis(300)));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            long start = System.nanoTime();
            harness.process(event("a", 1));
            harness.process(event("b", 2));
            assertThat(catalog.fetchCount()).isZero();
            harness.awaitOutputs(2);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(catalog.fetches()).containsExactly(List.of("a", "b"));
        }
    }

    @Test
    void theTaskThreadNeverWaitsForTheDatabase() throws Exception {
        for (int i = 0; i < 50; i++) {
            catalog.putTitle("k" + i, "T" + i);
        }
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options().setBatchSize(100).setPoolSize(1));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            assertThat(catalog.fetchCount()).as("opening does not touch the catalog").isZero();
            catalog.pause();
            long start = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                harness.process(event("k" + i, i));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(harness.outputs()).isEmpty();
            assertThat(f.coordinator().pendingLookups()).isEqualTo(50);
            catalog.resume();
            assertThat(harness.awaitOutputs(50)).extracting(EnrichedEvent::title).startsWith("T0", "T1", "T2");
            // with max delay 0, the first lookup went alone; the rest queued behind the busy connection as one batch
            assertThat(catalog.fetches()).hasSize(2);
            assertThat(catalog.fetches().get(1)).hasSize(49);
            assertThat(catalog.fetchThreads()).allMatch(t -> t.startsWith(JdbcEnrichmentFunction.IO_THREAD_PREFIX));
        }
        assertThat(catalog.isClosed()).isTrue();
    }

    @Test
    void aRowThatArrivesLateIsFoundByARetry() throws Exception {
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options().setMaxRetries(3));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            harness.process(event("late", 1));
            // the missing result makes Flink schedule a retry timer next to the timeout timer
            harness.runMailsUntil(() -> harness.timers() == 2, Duration.ofSeconds(10));
            catalog.putTitle("late", "Arrived");
            harness.advance(Duration.ofMillis(100));
            List<EnrichedEvent> out = harness.awaitOutputs(1);
            assertThat(out.get(0).title()).isEqualTo("Arrived");
            assertThat(out.get(0).missing()).isFalse();
            assertThat(catalog.fetchCount()).isEqualTo(2);
            assertThat(f.metrics().rowsMissing().getCount()).isEqualTo(1);
            assertThat(f.metrics().retries().getCount()).isEqualTo(1);
        }
    }

    @Test
    void aRowStillMissingAfterTheRetriesComesOutAsMissing() throws Exception {
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options().setMaxRetries(2));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            harness.process(event("never", 1));
            List<EnrichedEvent> out = driveRetries(harness, 1);
            assertThat(out).singleElement().satisfies(e -> {
                assertThat(e.missing()).isTrue();
                assertThat(e.event().key()).isEqualTo("never");
            });
            assertThat(catalog.fetchCount()).as("first attempt and two retries").isEqualTo(3);
            assertThat(harness.failure()).isEmpty();
        }
    }

    @Test
    void transientErrorsAreRetriedWithoutFailingTheJob() throws Exception {
        catalog.putTitle("k", "K");
        catalog.failNext(2, new SQLTransientConnectionException("Connection is not available, request timed out"));
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options().setMaxRetries(3));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            harness.process(event("k", 1));
            assertThat(driveRetries(harness, 1)).extracting(EnrichedEvent::title).containsExactly("K");
            assertThat(harness.failure()).isEmpty();
            assertThat(f.metrics().lookupErrors().getCount()).isEqualTo(2);
            assertThat(f.metrics().retries().getCount()).isEqualTo(2);
        }
    }

    @Test
    void aDatabaseDownPastTheRetriesFailsTheJob() throws Exception {
        catalog.putTitle("k", "K");
        catalog.failAlways();
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options().setMaxRetries(2));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            harness.process(event("k", 1));
            driveRetries(harness, 1);
            assertThat(harness.failure()).hasValueSatisfying(error -> {
                assertThat(error).hasRootCauseInstanceOf(SQLTransientConnectionException.class);
                assertThat(CatalogLookupException.isRetryable(error)).isTrue();
            });
            assertThat(harness.outputs()).as("nothing is emitted for the record; the restart replays it").isEmpty();
            assertThat(catalog.fetchCount()).isEqualTo(3);
        }
    }

    @Test
    void aPermanentErrorFailsTheJobWithoutRetrying() throws Exception {
        catalog.failNext(1, new SQLException("ERROR: column \"title\" does not exist", "42703"));
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options().setMaxRetries(3));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            harness.process(event("k", 1));
            harness.runMailsUntil(() -> harness.failure().isPresent(), Duration.ofSeconds(10));
            assertThat(harness.failure().get()).hasStackTraceContaining("column \"title\" does not exist");
            assertThat(CatalogLookupException.isRetryable(harness.failure().get())).isFalse();
            assertThat(catalog.fetchCount()).isEqualTo(1);
        }
    }

    @Test
    void aLookupSlowerThanTheTimeoutFailsTheJob() throws Exception {
        catalog.putTitle("k", "K");
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options().setMaxRetries(0)
                .setConnectionTimeout(Duration.ofSeconds(1)).setTimeout(Duration.ofSeconds(5)));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            catalog.pause();
            harness.process(event("k", 1));
            harness.advance(Duration.ofSeconds(5).plusMillis(1));
            harness.runMailsUntil(() -> harness.failure().isPresent(), Duration.ofSeconds(10));
            assertThat(harness.failure().get()).hasRootCauseInstanceOf(TimeoutException.class)
                    .hasStackTraceContaining("did not complete within PT5S");
            catalog.resume();
            harness.runMailsUntil(() -> f.coordinator().pendingLookups() == 0, Duration.ofSeconds(10));
            assertThat(harness.outputs()).as("a late read completes nothing").isEmpty();
        }
    }

    /**
     * The row is updated between the reads of two events of one key, and the earlier event's read is the later
     * one (it was retried): the earlier event gets the row the later one got, never a newer one, so the sink never
     * sees the row go back; the next event brings the update.
     */
    @Test
    void aLaterEventNeverCarriesAnOlderRowThanAnEarlierOne() throws Exception {
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options().setMaxRetries(3));
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            harness.process(event("k", 1)); // the row does not exist yet: retried in 100 ms
            harness.runMailsUntil(() -> harness.timers() == 2, Duration.ofSeconds(10));

            catalog.putTitle("k", "version 1");
            harness.process(event("k", 2)); // reads version 1, waits behind event 1 in the ordered queue
            harness.runMailsUntil(() -> catalog.fetchCount() == 2 && f.coordinator().pendingLookups() == 0,
                    Duration.ofSeconds(10));

            catalog.putTitle("k", "version 2"); // updated between the two reads
            harness.advance(Duration.ofMillis(100)); // event 1's retry reads version 2
            List<EnrichedEvent> out = harness.awaitOutputs(2);

            assertThat(catalog.fetches()).containsExactly(List.of("k"), List.of("k"), List.of("k"));
            assertThat(out).extracting(e -> e.event().seq()).containsExactly(1L, 2L);
            assertThat(out).extracting(EnrichedEvent::title).containsExactly("version 1", "version 1");
            assertThat(f.metrics().keyOrderAdoptions().getCount()).isEqualTo(1);

            harness.process(event("k", 3));
            assertThat(harness.awaitOutputs(3)).extracting(EnrichedEvent::title)
                    .containsExactly("version 1", "version 1", "version 2");
        }
    }

    @Test
    void inputsThatNeedNoRowPassThroughInOrder() throws Exception {
        catalog.putTitle("k", "K");
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options());
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            catalog.pause();
            harness.process(event("k", 1));
            harness.process(event("skip-k", 2));
            harness.runMails();
            assertThat(harness.outputs()).isEmpty();
            catalog.resume();
            assertThat(harness.awaitOutputs(2)).extracting(e -> e.event().seq()).containsExactly(1L, 2L);
            assertThat(catalog.fetches()).containsExactly(List.of("k"));
        }
    }

    @Test
    void theCacheAnswersUntilTheRowExpires() throws Exception {
        ManualTicker ticker = ManualTicker.create();
        catalog.putTitle("k", "v1");
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = JdbcEnrichmentFunction
                .<LookupEvent, EnrichedEvent>builder()
                .setOptions(options().setCache(1000, Duration.ofSeconds(30)).build())
                .setTable(TABLE)
                .setKeySelector(LookupEvent::key)
                .setMapper(new TitleMapper())
                .setOutputType(TypeInformation.of(EnrichedEvent.class))
                .setBackendFactory(catalog.factory())
                .setCacheTicker(ticker)
                .build();
        try (AsyncLookupHarness harness = new AsyncLookupHarness(f)) {
            harness.process(event("k", 1));
            harness.awaitOutputs(1);
            catalog.putTitle("k", "v2");
            ticker.advance(Duration.ofSeconds(29));
            harness.process(event("k", 2));
            assertThat(harness.awaitOutputs(2)).extracting(EnrichedEvent::title).containsExactly("v1", "v1");
            ticker.advance(Duration.ofSeconds(2));
            harness.process(event("k", 3));
            assertThat(harness.awaitOutputs(3)).extracting(EnrichedEvent::title).containsExactly("v1", "v1", "v2");
            assertThat(catalog.fetchCount()).isEqualTo(2);
            assertThat(f.metrics().cacheHits().getCount()).isEqualTo(1);
            assertThat(f.metrics().cacheHitRatio()).isEqualTo(1.0 / 3);
        }
    }

    @Test
    void theRetryStrategyRetriesMissingOutputsAndTransientFailuresOnly() {
        JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> f = function(options().setMaxRetries(4));
        var predicate = f.retryStrategy().getRetryPredicate();
        var missing = new EnrichedEvent(event("k", 1), null, true);
        var found = new EnrichedEvent(event("k", 1), "K", false);
        assertThat(predicate.resultPredicate()).hasValueSatisfying(p -> {
            assertThat(p.test(List.of(missing))).isTrue();
            assertThat(p.test(List.of(found))).isFalse();
        });
        assertThat(predicate.exceptionPredicate()).hasValueSatisfying(p -> {
            assertThat(p.test(new CatalogLookupException("down", true, null))).isTrue();
            assertThat(p.test(new RuntimeException(new CatalogLookupException("down", true, null)))).isTrue();
            assertThat(p.test(new CatalogLookupException("bad column", false, null))).isFalse();
            assertThat(p.test(new TimeoutException())).isFalse();
        });
        assertThat(f.retryStrategy().canRetry(4)).isTrue();
        assertThat(f.retryStrategy().canRetry(5)).isFalse();
        assertThat(f.getProducedType()).isEqualTo(TypeInformation.of(EnrichedEvent.class));
    }
}
