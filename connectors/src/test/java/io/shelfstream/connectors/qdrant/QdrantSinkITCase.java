package io.shelfstream.connectors.qdrant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.PointsGrpc;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.qdrant.internal.SinkMetrics;
import io.shelfstream.connectors.testutils.KeyedChanges;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.connectors.testutils.TestNames;

/**
 * The exactly-once Qdrant sink in a MiniCluster against the local Qdrant-compatible server: a keyed stream of
 * upserts and deletes goes through while the job fails, restarts from savepoints and retained checkpoints, rescales
 * and loses Qdrant for a while; afterwards every key's point holds its last change, or is gone if that was a delete.
 *
 * <p>Sizes scale with the system property {@code shelfstream.test.scale} (1 by default, 10 nightly); the seed of
 * the random failure points is logged and can be fixed with {@code shelfstream.test.seed}.
 */
class QdrantSinkITCase {

    private static final Logger LOG = LoggerFactory.getLogger(QdrantSinkITCase.class);

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final int RECORDS = 10_000 * SCALE;
    private static final int KEYS = 1_000 * SCALE;
    private static final int FAILURES = 5 * SCALE;
    private static final long CHECKPOINT_INTERVAL_MS = 100;
    private static final int RECORDS_PER_CHECKPOINT = 400 * SCALE;
    private static final String UPSERT = PointsGrpc.getUpsertMethod().getFullMethodName();
    private static final String DELETE = PointsGrpc.getDeleteMethod().getFullMethodName();

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                    .build());

    @TempDir
    Path temp;

    private final LocalQdrantServer qdrant = LocalServices.qdrant();

    @AfterEach
    void clearFaults() {
        qdrant.clearFaults();
    }

    @Test
    void everyKeyEndsAtItsLastChangeDespiteRepeatedFailures() throws Exception {
        String collection = TestNames.fresh("sink_failures");
        KeyedChanges changes = new KeyedChanges(collection, KEYS);
        long seed = Long.getLong("shelfstream.test.seed", System.nanoTime());
        Random random = new Random(seed);
        Set<Long> failAt = new TreeSet<>();
        while (failAt.size() < FAILURES) {
            failAt.add(RECORDS / 20 + (long) (random.nextDouble() * RECORDS * 0.9));
        }
        LOG.info("Failing the job at records {} (seed {})", failAt, seed);
        String scenario = collection;

        // Meanwhile Qdrant now and then loses the reply to an applied upsert or delete, so commits are retried.
        ScheduledExecutorService lostReplies = Executors.newSingleThreadScheduledExecutor();
        lostReplies.scheduleWithFixedDelay(() -> qdrant.failNextCallsAfterApplying(1,
                random.nextBoolean() ? UPSERT : DELETE), 150, 350, TimeUnit.MILLISECONDS);
        long started = System.nanoTime();
        try {
            JobClient job = start(scenario, changes, sink(collection), 2, failAt, new Configuration());
            job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        } finally {
            lostReplies.shutdownNow();
            qdrant.clearFaults();
        }
        LOG.info("{} records with {} failures in {} ms", RECORDS, FAILURES,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

        assertThat(ThrowOnce.thrown(scenario)).as("injected failures").isEqualTo(FAILURES);
        assertHoldsLastChanges(collection, changes);
    }

    @Test
    void restartsFromSavepointsAndRetainedCheckpointsWithRescaling() throws Exception {
        String collection = TestNames.fresh("sink_restarts");
        KeyedChanges changes = new KeyedChanges(collection, KEYS);
        QdrantSink sink = sink(collection);
        Path checkpoints = Files.createDirectories(temp.resolve("checkpoints"));
        Configuration retaining = new Configuration();
        retaining.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        retaining.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        // 1. two sink subtasks, stopped with a savepoint about a third of the way
        String first = collection + "-1";
        JobClient job = start(first, changes, sink, 2, Set.of(), new Configuration());
        awaitProgress(first, RECORDS / 3);
        String savepoint = job.stopWithSavepoint(false, temp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(1, TimeUnit.MINUTES);
        LOG.info("Savepoint at {}", savepoint);

        // 2. restored from it on one subtask, cancelled past two thirds; its last checkpoint is retained
        String second = collection + "-2";
        job = start(second, changes, sink, 1, Set.of(), restoring(savepoint, retaining));
        awaitProgress(second, RECORDS / 3);
        JobID secondJob = job.getJobID();
        awaitRetainedCheckpoint(checkpoints, secondJob);
        job.cancel().get(1, TimeUnit.MINUTES);
        String retained = latestRetainedCheckpoint(checkpoints, secondJob);
        LOG.info("Retained checkpoint {}", retained);

        // 3. restored from the retained checkpoint on two subtasks, to the end
        String third = collection + "-3";
        start(third, changes, sink, 2, Set.of(), restoring(retained, new Configuration()))
                .getJobExecutionResult().get(3, TimeUnit.MINUTES);
        assertHoldsLastChanges(collection, changes);

        // 4. the first savepoint again, now older than what Qdrant holds: once the replay is through, same state
        String fourth = collection + "-4";
        start(fourth, changes, sink, 3, Set.of(), restoring(savepoint, new Configuration()))
                .getJobExecutionResult().get(3, TimeUnit.MINUTES);
        assertHoldsLastChanges(collection, changes);
    }

    @Test
    void qdrantUnavailableForManyCheckpointsDelaysButLosesNothing() throws Exception {
        String collection = TestNames.fresh("sink_outage");
        KeyedChanges changes = new KeyedChanges(collection, KEYS);
        String scenario = collection;
        long injectedBefore = qdrant.injectedFailures();
        Duration outage = Duration.ofMillis(Math.max(3000, 20 * CHECKPOINT_INTERVAL_MS));

        JobClient job = start(scenario, changes, sink(collection), 2, Set.of(), new Configuration());
        awaitProgress(scenario, RECORDS / 4);
        long pointsBefore = count(collection);
        qdrant.failFor(outage);
        LOG.info("Qdrant unavailable for {} with {} points stored", outage, pointsBefore);
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);

        assertThat(qdrant.injectedFailures() - injectedBefore).as("calls refused during the outage").isPositive();
        assertHoldsLastChanges(collection, changes);

        Map<String, Map<String, Metric>> metrics = operatorMetrics(job.getJobID());
        assertThat(metrics).containsKeys("Qdrant: Writer", "Qdrant: Committer");
        Map<String, Metric> committer = metrics.get("Qdrant: Committer");
        assertThat(committer).containsKeys(SinkMetrics.POINTS_UPSERTED, SinkMetrics.POINTS_DELETED,
                SinkMetrics.REQUESTS, SinkMetrics.RETRIES, SinkMetrics.REQUEST_LATENCY_MS, SinkMetrics.BATCH_SIZE,
                "pendingCommittables");
        assertThat(metrics.get("Qdrant: Writer")).containsKey(SinkMetrics.BUFFERED_POINTS);
        assertThat(sum(job.getJobID(), "Qdrant: Committer", SinkMetrics.RETRIES)).as("retries").isPositive();
        assertThat(sum(job.getJobID(), "Qdrant: Committer", SinkMetrics.POINTS_UPSERTED))
                .isGreaterThanOrEqualTo(changes.expectedAfter(RECORDS).size());
        assertThat(sum(job.getJobID(), "Qdrant: Committer", SinkMetrics.POINTS_DELETED)).isPositive();
    }

    // ------------------------------------------------------------------ the job

    private QdrantSink sink(String collection) {
        return QdrantSink.builder()
                .setEndpoint(QdrantEndpoint.of(qdrant.host(), qdrant.port()))
                .setVectorSize(KeyedChanges.DIMENSIONS)
                .addCollection(collection, Map.of("key", PayloadIndexType.INTEGER))
                .setMaxBatchPoints(100)
                .setMaxRetries(5)
                .setRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .setRequestTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Source (one subtask, ordered) -> failure injection -> keyBy(point) -> sink. */
    private static JobClient start(String scenario, KeyedChanges changes, QdrantSink sink, int sinkParallelism,
            Set<Long> failAt, Configuration extra) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
        conf.addAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(CHECKPOINT_INTERVAL_MS, CheckpointingMode.EXACTLY_ONCE);
        ThrowOnce.plan(scenario, failAt);
        env.fromSource(new DataGeneratorSource<>(seq -> seq, RECORDS,
                        RateLimiterStrategy.perCheckpoint(RECORDS_PER_CHECKPOINT), Types.LONG),
                        WatermarkStrategy.noWatermarks(), "changes")
                .setParallelism(1).uid("changes")
                .map(new ThrowOnce(scenario)).setParallelism(1).uid("failures")
                .map(changes::at).returns(TypeInformation.of(PointWrite.class)).setParallelism(1).uid("points")
                .keyBy(PointWrite::pointId)
                .sinkTo(sink).setParallelism(sinkParallelism).uid("qdrant-sink").name("Qdrant");
        return env.executeAsync(scenario);
    }

    private static Configuration restoring(String path, Configuration base) {
        Configuration conf = new Configuration(base);
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
        return conf;
    }

    /**
     * Counts records per scenario and throws once at each planned record; a restarted task replays the record and
     * passes. Static, so the count and the failures survive restarts of the job in the MiniCluster's JVM.
     */
    static final class ThrowOnce implements MapFunction<Long, Long> {
        private static final Map<String, Set<Long>> PLANNED = new ConcurrentHashMap<>();
        private static final Map<String, Set<Long>> THROWN = new ConcurrentHashMap<>();
        private static final Map<String, AtomicLong> SEEN = new ConcurrentHashMap<>();

        private final String scenario;

        ThrowOnce(String scenario) {
            this.scenario = scenario;
        }

        static void plan(String scenario, Set<Long> failAt) {
            PLANNED.put(scenario, Set.copyOf(failAt));
            THROWN.put(scenario, ConcurrentHashMap.newKeySet());
            SEEN.put(scenario, new AtomicLong());
        }

        static int thrown(String scenario) {
            return THROWN.get(scenario).size();
        }

        static long seen(String scenario) {
            return SEEN.get(scenario).get();
        }

        @Override
        public Long map(Long seq) {
            SEEN.get(scenario).incrementAndGet();
            if (PLANNED.get(scenario).contains(seq) && THROWN.get(scenario).add(seq)) {
                throw new IllegalStateException("Injected failure at record " + seq);
            }
            return seq;
        }
    }

    // ------------------------------------------------------------------ waiting and checking

    private static void awaitProgress(String scenario, long records) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (ThrowOnce.seen(scenario) < records) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + scenario + " saw only " + ThrowOnce.seen(scenario) + " records");
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static void awaitRetainedCheckpoint(Path checkpoints, JobID job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (latestRetainedCheckpoint(checkpoints, job) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no completed checkpoint of job " + job + " in " + checkpoints);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static String latestRetainedCheckpoint(Path checkpoints, JobID job) throws Exception {
        Path dir = checkpoints.resolve(job.toHexString());
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> chk = Files.list(dir)) {
            return chk.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max((a, b) -> Long.compare(number(a), number(b)))
                    .map(p -> p.toUri().toString()).orElse(null);
        }
    }

    private static long number(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring("chk-".length()));
    }

    private long count(String collection) throws Exception {
        try (QdrantClient client = QdrantEndpoint.of(qdrant.host(), qdrant.port()).newClient()) {
            return client.countAsync(collection).get(30, TimeUnit.SECONDS);
        }
    }

    /** Operator name to its metrics (of any subtask and attempt) for one job. */
    private static Map<String, Map<String, Metric>> operatorMetrics(JobID job) {
        Map<String, Map<String, Metric>> out = new HashMap<>();
        METRICS.getMetricsByGroup().forEach((group, metrics) -> {
            Map<String, String> variables = group.getAllVariables();
            if (job.toHexString().equals(variables.get("<job_id>")) && variables.containsKey("<operator_name>")) {
                out.computeIfAbsent(variables.get("<operator_name>"), k -> new HashMap<>()).putAll(metrics);
            }
        });
        return out;
    }

    /** The sum of a counter over every subtask and attempt of an operator. */
    private static long sum(JobID job, String operator, String counter) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> e : METRICS.getMetricsByGroup().entrySet()) {
            Map<String, String> variables = e.getKey().getAllVariables();
            Metric metric = e.getValue().get(counter);
            if (job.toHexString().equals(variables.get("<job_id>"))
                    && operator.equals(variables.get("<operator_name>")) && metric instanceof Counter) {
                sum += ((Counter) metric).getCount();
            }
        }
        return sum;
    }

    private void assertHoldsLastChanges(String collection, KeyedChanges changes) throws Exception {
        Map<String, Long> expected = changes.expectedAfter(RECORDS);
        Map<String, RetrievedPoint> points;
        try (QdrantClient client = QdrantEndpoint.of(qdrant.host(), qdrant.port()).newClient()) {
            points = QdrantPoints.scrollAll(client, collection);
        }
        Map<String, Long> actual = new HashMap<>();
        List<String> wrongVectors = new ArrayList<>();
        points.forEach((id, p) -> {
            long seq = (Long) Payloads.toJava(p.getPayloadMap().get("seq"));
            actual.put(id, seq);
            if (!sameDirection(changes.vectorOf(seq), QdrantPoints.vector(p, QdrantSink.DEFAULT_VECTOR_NAME))) {
                wrongVectors.add(id);
            }
            assertThat(Payloads.toJava(p.getPayloadMap().get("key"))).isEqualTo((long) changes.keyOf(seq));
        });
        assertThat(expected.size()).as("keys whose last change is an upsert").isBetween(KEYS / 2, KEYS);
        assertThat(actual).as("point id -> seq of its payload").containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(wrongVectors).as("points whose vector is not their last change's").isEmpty();
    }

    private static boolean sameDirection(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return a.length == b.length && dot / Math.sqrt(na * nb) > 0.99999;
    }
}
