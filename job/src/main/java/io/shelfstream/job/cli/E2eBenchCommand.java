package io.shelfstream.job.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.QdrantSink;
import io.shelfstream.connectors.qdrant.internal.SinkMetrics;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.CatalogBook;
import io.shelfstream.schemas.CatalogLoader;
import io.shelfstream.schemas.CatalogSql;
import io.shelfstream.schemas.CatalogStudent;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.EventJson;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.StudentEvent;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;
import io.shelfstream.job.taste.TasteSettings;

/**
 * {@code ./shelfstream bench e2e}: the whole job in a local MiniCluster against local Kafka, PostgreSQL and the
 * Qdrant-compatible server, each workload measured against its own ceiling in the same process on the same data.
 *
 * <ul>
 *   <li><b>books</b>: {@code book_added} events for a generated catalog, read from Kafka, looked up, embedded and
 *       written to Qdrant; docs/s from the embedding operator's first input to its last output, against the bare
 *       model: the {@code MiniLmEmbedder} (length-sorted sub-batches) on the same texts, in the same order, in
 *       chunks of the operator's batch size, timed before and after the job (mean of the two).</li>
 *   <li><b>backfill</b>: the same catalog through {@code --backfill.entities books} (JdbcSource), same ceiling.</li>
 *   <li><b>checkouts</b>: books and student profiles are embedded first (not timed), then generated checkouts are
 *       sent as fast as the producer goes; events/s from the first checkout parsed to the last one aggregated in
 *       the student's taste state, against {@link CheckoutCeilingJob} on the same records (same state backend,
 *       checkpoint interval and parallelism, no lookup, model, join or sink). Then the latency probe
 *       ({@link LatencyProbe}) at half the measured rate, for EXACTLY_ONCE and AT_LEAST_ONCE.</li>
 * </ul>
 * Each job run also reports peak heap and RSS of this process, checkpoint duration and size, and Qdrant points
 * written per second. {@code --sweep} adds checkouts events/s for 10k, 100k and 1M students and books docs/s for
 * several batch sizes, written as CSV and PNG under {@code --out}.
 */
public final class E2eBenchCommand {

    static final int DEFAULT_CHECKOUT_EVENTS = 1_200_000;
    static final int DEFAULT_DOCS = 1_024;
    static final int DEFAULT_STUDENTS = 2_000;
    static final int DEFAULT_BOOKS = 300;
    static final int PROBE_STUDENTS = 5;
    static final Duration PROBE_EVERY = Duration.ofMillis(100);
    static final Duration POLL_EVERY = Duration.ofMillis(20);
    static final Duration SAMPLE_EVERY = Duration.ofMillis(50);
    static final Duration WAIT = Duration.ofMinutes(15);
    /** Managed memory of a TaskManager of {@code flink-conf/config.yaml} (4,096 MB process size). */
    static final String DEPLOYED_MANAGED_MEMORY = "1372m";

    private static final String USAGE = "usage: ./shelfstream bench e2e [--workload books|checkouts|backfill|all]"
            + " [--events N] [--docs N] [--rate R] [--students S] [--books B]"
            + " [--guarantee exactly-once|at-least-once] [--checkpoint-interval D] [--alo-checkpoint-interval D]"
            + " [--latency-seconds S] [--parallelism P] [--sweep | --sweep-only] [--sweep-students 10000,100000,1000000]"
            + " [--flink KEY=VALUE ...] [--out DIR]";

    private final PrintStream out;
    private String workload = "all";
    private int events = DEFAULT_CHECKOUT_EVENTS;
    private int docs = DEFAULT_DOCS;
    private double rate = 0;
    private int students = DEFAULT_STUDENTS;
    private int books = DEFAULT_BOOKS;
    private List<DeliveryGuarantee> guarantees = List.of(DeliveryGuarantee.EXACTLY_ONCE,
            DeliveryGuarantee.AT_LEAST_ONCE);
    private Duration checkpointInterval = Duration.ofSeconds(2);
    private Duration aloCheckpointInterval = Duration.ofMillis(200);
    private int latencySeconds = 20;
    private int parallelism = 1;
    private boolean sweep;
    private boolean skipMain;
    private int[] sweepStudents = {10_000, 100_000, 1_000_000};
    /** Flink configuration given with {@code --flink KEY=VALUE}, set on every MiniCluster of the run. */
    private final Map<String, String> flinkConf = new java.util.LinkedHashMap<>();
    private Path outDir = Paths.get("bench-results");

    private LocalKafka kafka;
    private LocalPostgres postgres;
    private LocalQdrantServer qdrant;
    private QdrantClient client;
    private final Path checkpoints;

    private E2eBenchCommand(PrintStream out) throws IOException {
        this.out = out;
        this.checkpoints = Files.createTempDirectory("shelfstream-bench-e2e");
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code bench e2e}
     * @return 0 on success, 1 if a run failed, 2 for bad arguments
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        E2eBenchCommand bench;
        try {
            bench = new E2eBenchCommand(out);
            bench.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("bench e2e: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (IOException e) {
            err.println("bench e2e: " + e.getMessage());
            return 1;
        }
        try {
            bench.runAll();
            return 0;
        } catch (Exception e) {
            err.println("bench e2e: failed: " + e);
            e.printStackTrace(err);
            return 1;
        } finally {
            bench.close();
        }
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--sweep")) {
                sweep = true;
                continue;
            }
            if (option.equals("--sweep-only")) {
                sweep = true;
                skipMain = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--workload" -> {
                    if (!List.of("books", "checkouts", "backfill", "all").contains(value)) {
                        throw new IllegalArgumentException("--workload is books, checkouts, backfill or all, got '"
                                + value + "'");
                    }
                    workload = value;
                }
                case "--events" -> events = positive(value, option);
                case "--docs" -> docs = positive(value, option);
                case "--rate" -> rate = positive(value, option);
                case "--students" -> students = positive(value, option);
                case "--books" -> books = positive(value, option);
                case "--guarantee" -> guarantees = switch (value) {
                    case "exactly-once" -> List.of(DeliveryGuarantee.EXACTLY_ONCE);
                    case "at-least-once" -> List.of(DeliveryGuarantee.AT_LEAST_ONCE);
                    default -> throw new IllegalArgumentException("--guarantee is exactly-once or at-least-once");
                };
                case "--checkpoint-interval" -> checkpointInterval = JobOptions.defaults()
                        .with("checkpoint.interval", value).duration("checkpoint.interval");
                case "--alo-checkpoint-interval" -> aloCheckpointInterval = JobOptions.defaults()
                        .with("checkpoint.interval", value).duration("checkpoint.interval");
                case "--latency-seconds" -> latencySeconds = positive(value, option);
                case "--parallelism" -> parallelism = positive(value, option);
                case "--out" -> outDir = Paths.get(value);
                case "--flink" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--flink needs KEY=VALUE (a Flink configuration option), "
                                + "got '" + value + "'");
                    }
                    flinkConf.put(value.substring(0, eq).trim(), value.substring(eq + 1).trim());
                }
                case "--sweep-students" -> sweepStudents = java.util.Arrays.stream(value.split(","))
                        .mapToInt(v -> positive(v.trim(), option)).toArray();
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
    }

    private static int positive(String value, String option) {
        try {
            int n = Integer.parseInt(value.replace("_", "").replace(",", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive whole number, got '" + value + "'");
    }

    private void runAll() throws Exception {
        out.printf(Locale.ROOT, "bench e2e: %d processors, JVM max heap %,d MB, load average %.2f, parallelism %d, "
                        + "RocksDB state backend (incremental checkpoints)%s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, load(),
                parallelism, flinkConf.isEmpty() ? "" : ", Flink configuration " + flinkConf);
        out.println("starting local Kafka, PostgreSQL and the Qdrant-compatible server ...");
        kafka = LocalKafka.start();
        postgres = LocalPostgres.start();
        qdrant = LocalQdrantServer.start();
        client = QdrantEndpoint.of("localhost", qdrant.port()).newClient();

        if (!skipMain && (workload.equals("all") || workload.equals("books") || workload.equals("backfill"))) {
            booksAndBackfill(docs, EmbeddingBatchSize.DEFAULT, true);
        }
        if (!skipMain && (workload.equals("all") || workload.equals("checkouts"))) {
            checkouts();
        }
        if (sweep) {
            sweep();
        }
        out.printf(Locale.ROOT, "%nload average at the end: %.2f%n", load());
    }

    // ------------------------------------------------------------------------------------------------ books

    /** The operator's default batch size, and the sweep's. */
    private static final class EmbeddingBatchSize {
        static final int DEFAULT = Integer.parseInt(JobOptions.defaults().get("embedding.batch.max-records"));
    }

    /** Runs books (and backfill) on {@code n} generated books; returns {job docs/s, bare docs/s, backfill docs/s}. */
    private double[] booksAndBackfill(int n, int batchSize, boolean withBackfill) throws Exception {
        String db = fresh("bench_books").replace('-', '_');
        String jdbcUrl = postgres.createDatabase(db);
        postgres.execute(db, CatalogSql.ddl());
        LibraryGenerator library = LibraryGenerator.create(GeneratorOptions.builder().setBooks(n).setStudents(1)
                .setCheckouts(0).setMalformedFraction(0).build());
        CatalogLoader.create().load(jdbcUrl, LocalPostgres.USER, LocalPostgres.PASSWORD, library.books(),
                List.of());
        List<String> texts = new ArrayList<>();
        for (CatalogBook b : library.books()) {
            texts.add(EmbeddingTexts.book(b.title(), b.author(), b.description(), b.genres()));
        }
        out.printf(Locale.ROOT, "%n== books: %,d book_added events of a generated catalog, embedding batch %d "
                + "(load average %.2f)%n", n, batchSize, load());

        EmbedderOptions embedderOptions = EmbedderOptions.builder().setDevice("cpu").build();
        double bareBefore = bareModel(texts, batchSize, embedderOptions);

        JobOptions options = baseOptions(jdbcUrl, checkpointInterval)
                .with("embedding.batch.max-records", String.valueOf(batchSize))
                .with("topic.students", "").with("topic.checkouts", "");
        kafka.createTopic(options.get("topic.books"), 2);
        kafka.createTopic(options.get("topic.dead-letter"), 1);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            Instant at = Instant.now();
            for (CatalogBook b : library.books()) {
                BookEvent e = BookEvent.of("bench-" + b.bookId(), BookEvent.BookEventType.BOOK_ADDED, at, b.bookId());
                producer.send(new ProducerRecord<>(options.get("topic.books"), e.key().getBytes(),
                        EventJson.toBytes(e)));
            }
        }
        Run job = runEmbeddingJob("books", options, n, DeliveryGuarantee.EXACTLY_ONCE, false);
        Run backfill = null;
        if (withBackfill && (workload.equals("all") || workload.equals("backfill"))) {
            JobOptions backfillOptions = baseOptions(jdbcUrl, checkpointInterval)
                    .with("embedding.batch.max-records", String.valueOf(batchSize))
                    .with("topic.books", "").with("topic.students", "").with("topic.checkouts", "")
                    .with("backfill.entities", "books");
            kafka.createTopic(backfillOptions.get("topic.dead-letter"), 1);
            backfill = runEmbeddingJob("backfill", backfillOptions, n, DeliveryGuarantee.EXACTLY_ONCE, true);
        }
        double bareAfter = bareModel(texts, batchSize, embedderOptions);
        double bare = (bareBefore + bareAfter) / 2;

        out.printf(Locale.ROOT, "bare model (MiniLmEmbedder, same %,d texts, chunks of %d, length-sorted "
                + "sub-batches): %.1f docs/s before the jobs, %.1f after, mean %.1f%n", n, batchSize, bareBefore,
                bareAfter, bare);
        if (workload.equals("all") || workload.equals("books") || !withBackfill) {
            job.print(out, "books job");
            out.printf(Locale.ROOT, "books: job %.1f docs/s / bare model %.1f docs/s = %.2f (target >= 0.85)%n",
                    job.eventsPerSecond, bare, job.eventsPerSecond / bare);
        }
        if (backfill != null) {
            backfill.print(out, "backfill job");
            out.printf(Locale.ROOT, "backfill: job %.1f docs/s / bare model %.1f docs/s = %.2f (target >= 0.9)%n",
                    backfill.eventsPerSecond, bare, backfill.eventsPerSecond / bare);
        }
        return new double[] {job.eventsPerSecond, bare, backfill == null ? Double.NaN : backfill.eventsPerSecond};
    }

    private double bareModel(List<String> texts, int batchSize, EmbedderOptions options) {
        try (MiniLmEmbedder embedder = MiniLmEmbedder.create(options)) {
            embedder.embed(texts.subList(0, Math.min(32, texts.size())));
            long started = System.nanoTime();
            for (int i = 0; i < texts.size(); i += batchSize) {
                embedder.embed(texts.subList(i, Math.min(texts.size(), i + batchSize)));
            }
            return texts.size() / ((System.nanoTime() - started) / 1e9);
        }
    }

    /** Runs a books or backfill job until {@code n} docs are embedded and visible in Qdrant. */
    private Run runEmbeddingJob(String label, JobOptions options, int n, DeliveryGuarantee guarantee,
            boolean bounded) throws Exception {
        String jobName = fresh("bench-" + label);
        StreamExecutionEnvironment env = environment(options, guarantee);
        new ShelfstreamJob(options, bounded ? null : ShelfstreamJob.booksSource(options), null, null,
                qdrantSink(options, guarantee), ShelfstreamJob.deadLetterSink(options)).build(env);
        Sampler sampler = new Sampler(jobName);
        LongSupplier embedIn = () -> LocalMetricReporter.sum(jobName, "Embed books", "numRecordsIn");
        LongSupplier embedded = () -> LocalMetricReporter.sum(jobName, "Embed books", "embedding.docs");
        String collection = options.get("qdrant.collection.books");
        long submitted = System.nanoTime();
        JobClient job = env.executeAsync(jobName);
        sampler.start();
        try {
            long first = waitFor(() -> embedIn.getAsLong() > 0, label + ": first record into the embedding");
            long last = waitFor(() -> embedded.getAsLong() >= n, label + ": " + n + " docs embedded");
            long visible = waitFor(() -> count(collection) >= n, label + ": " + n + " points in Qdrant");
            Run run = new Run();
            run.events = n;
            run.eventsPerSecond = n / ((last - first) / 1e9);
            run.totalSeconds = (visible - submitted) / 1e9;
            run.visibleAfterLastSeconds = (visible - last) / 1e9;
            sampler.finish(run, visible - first);
            return run;
        } finally {
            sampler.stop();
            if (!bounded) {
                job.cancel().get();
            } else {
                job.getJobExecutionResult().get();
            }
        }
    }

    // -------------------------------------------------------------------------------------------- checkouts

    private void checkouts() throws Exception {
        Library lib = library(students, students, books);
        Run eo = null;
        for (DeliveryGuarantee g : guarantees) {
            Duration interval = g == DeliveryGuarantee.EXACTLY_ONCE ? checkpointInterval : aloCheckpointInterval;
            out.printf(Locale.ROOT, "%n== checkouts, %s Qdrant sink, checkpoints every %d ms: %,d books, %,d students "
                            + "with profiles (+%d probe students), %,d checkout events (load average %.2f)%n",
                    g, interval.toMillis(), books, students, PROBE_STUDENTS, events, load());
            CheckoutRun r = checkoutJob(lib, g, interval, events, true);
            r.job.print(out, "checkouts job");
            r.ceiling.print(out, "ceiling (parse + StudentTaste aggregate in RocksDB; no lookup, model, join or "
                    + "sink; same records)");
            out.printf(Locale.ROOT, "  job/ceiling = %.2f over the whole run, %.2f over 10%%-90%% (target >= 0.3)%n",
                    r.job.eventsPerSecond / r.ceiling.eventsPerSecond,
                    r.job.steadyEventsPerSecond / r.ceiling.steadyEventsPerSecond);
            out.printf(Locale.ROOT, "  Qdrant writes: %,d student points and %,d book points over %d checkpoints for "
                            + "%,d events (%,d checkout_created): %.1f events per point write; at most one write per "
                            + "changed student per checkpoint: %s%n", r.studentPoints, r.bookPoints, r.checkpoints,
                    r.job.events, r.created, (double) r.job.events / Math.max(1, r.studentPoints + r.bookPoints),
                    r.studentPoints <= (long) r.checkpointsWithWrites * lib.profileStudents ? "yes" : "NO");
            if (g == DeliveryGuarantee.EXACTLY_ONCE) {
                eo = r.job;
                out.printf(Locale.ROOT, "  checkouts EXACTLY_ONCE: %,.0f events/s (target >= 20,000)%n",
                        r.job.eventsPerSecond);
            }
            long[] lat = r.latencies;
            if (lat.length > 0) {
                long target = g == DeliveryGuarantee.EXACTLY_ONCE ? interval.toMillis() + 1000 : 500;
                out.printf(Locale.ROOT, "  event-to-visible latency at %,.0f events/s (%s): %d probes, p50 %d ms, "
                                + "p95 %d ms, p99 %d ms, max %d ms (target p99 <= %d ms); Qdrant polled every %d ms%n",
                        r.latencyRate, rate > 0 ? "--rate" : "half the measured rate", lat.length,
                        LatencyProbe.percentile(lat, 0.5), LatencyProbe.percentile(lat, 0.95),
                        LatencyProbe.percentile(lat, 0.99), lat[lat.length - 1], target, POLL_EVERY.toMillis());
            }
        }
    }

    /** A generated library loaded into a fresh catalog; its records. */
    private Library library(int allStudents, int profileStudents, int bookCount) throws Exception {
        Library lib = new Library();
        lib.db = fresh("bench_checkouts").replace('-', '_');
        lib.jdbcUrl = postgres.createDatabase(lib.db);
        postgres.execute(lib.db, CatalogSql.ddl());
        lib.generator = LibraryGenerator.create(GeneratorOptions.builder().setBooks(bookCount)
                .setStudents(allStudents).setCheckouts(events).setMalformedFraction(0).build());
        lib.profileStudents = profileStudents;
        List<CatalogStudent> catalogStudents = new ArrayList<>(lib.generator.students().subList(0, profileStudents));
        for (int i = 0; i < PROBE_STUDENTS; i++) {
            String id = "s-probe-" + i;
            lib.probes.add(id);
            catalogStudents.add(new CatalogStudent(id, 5, "latency probes", List.of("mystery")));
        }
        CatalogLoader.create().load(lib.jdbcUrl, LocalPostgres.USER, LocalPostgres.PASSWORD, lib.generator.books(),
                catalogStudents);
        lib.catalogStudents = catalogStudents;
        return lib;
    }

    private CheckoutRun checkoutJob(Library lib, DeliveryGuarantee guarantee, Duration interval, int n,
            boolean latency) throws Exception {
        JobOptions options = baseOptions(lib.jdbcUrl, interval);
        for (EventTopic t : EventTopic.values()) {
            kafka.createTopic(options.get("topic." + t.defaultName()), 2);
        }
        kafka.createTopic(options.get("topic.dead-letter"), 1);
        String jobName = fresh("bench-checkouts");
        JobClient job = checkoutsJob(options, guarantee, null, jobName + "-setup");
        CheckoutRun result = new CheckoutRun();
        Sampler sampler = new Sampler(jobName);
        boolean cancelled = false;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            // setup, not timed: every book and profile embedded and visible
            long setupStarted = System.nanoTime();
            Instant at = Instant.now();
            for (CatalogBook b : lib.generator.books()) {
                BookEvent e = BookEvent.of("bench-" + b.bookId(), BookEvent.BookEventType.BOOK_ADDED, at, b.bookId());
                producer.send(new ProducerRecord<>(options.get("topic.books"), e.key().getBytes(),
                        EventJson.toBytes(e)));
            }
            for (CatalogStudent s : lib.catalogStudents) {
                StudentEvent e = new StudentEvent("bench-" + s.studentId(), StudentEvent.StudentEventType.STUDENT_ADDED,
                        at, s.studentId());
                producer.send(new ProducerRecord<>(options.get("topic.students"), e.key().getBytes(),
                        EventJson.toBytes(e)));
            }
            producer.flush();
            String bookCollection = options.get("qdrant.collection.books");
            String studentCollection = options.get("qdrant.collection.students");
            waitFor(() -> count(bookCollection) >= lib.generator.books().size(), "book points");
            waitFor(() -> count(studentCollection) >= lib.catalogStudents.size(), "student points");
            out.printf(Locale.ROOT, "  setup (not timed): %,d book and %,d student points embedded and visible in "
                    + "%.1f s%n", lib.generator.books().size(), lib.catalogStudents.size(),
                    (System.nanoTime() - setupStarted) / 1e9);

            // stop with a savepoint, fill the checkouts topic, restart from the savepoint: the job then reads a
            // backlog, so its rate is its own and not the producer's (which shares the two cores)
            String savepoint = job.stopWithSavepoint(false, checkpoints.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get();
            cancelled = true;
            String checkoutsTopic = options.get("topic.checkouts");
            long[] counts = send(producer, checkoutsTopic, lib.generator, n, rate);
            long created = counts[0];
            long returns = counts[1];
            out.printf(Locale.ROOT, "  producer (same process, job stopped with a savepoint): %,d checkout events "
                    + "sent in %.1f s, %,.0f/s; the job restarts from the savepoint and reads the backlog%n", n,
                    counts[2] / 1e9, n / (counts[2] / 1e9));
            job = checkoutsJob(options, guarantee, savepoint, jobName);
            cancelled = false;
            LongSupplier parsed = () -> LocalMetricReporter.sum(jobName, "Parse checkouts events", "numRecordsIn");
            LongSupplier aggregated = () -> LocalMetricReporter.sum(jobName, "Student taste", "tasteUpdates");
            LongSupplier returned = () -> LocalMetricReporter.sum(jobName, "Join checkouts", "checkoutsReturned");
            LongSupplier studentPoints = () -> LocalMetricReporter.sum(jobName, "Student taste",
                    "studentPointsWritten");
            LongSupplier bookPoints = () -> LocalMetricReporter.sum(jobName, "Join checkouts", "bookPointsWritten");
            long parsed0 = 0;
            long aggregated0 = 0;
            long returned0 = 0;
            long studentPoints0 = 0;
            long bookPoints0 = 0;
            double checkpoints0 = 0;
            sampler.start();
            Progress progress = new Progress(aggregated, created, aggregated0);
            long first = waitFor(() -> parsed.getAsLong() > parsed0, "first checkout parsed");
            long last = waitFor(() -> aggregated.getAsLong() - aggregated0 >= created
                    && returned.getAsLong() - returned0 >= returns, "every checkout aggregated");
            Run run = new Run();
            run.events = n;
            run.eventsPerSecond = n / ((last - first) / 1e9);
            run.steadyEventsPerSecond = progress.steadyRate((double) n / created);
            run.totalSeconds = (last - first) / 1e9;
            // the points of the last checkpoint: wait for two more checkpoints to complete
            double cps = LocalMetricReporter.gauge(jobName, "numberOfCompletedCheckpoints");
            waitFor(() -> LocalMetricReporter.gauge(jobName, "numberOfCompletedCheckpoints") >= cps + 2,
                    "two more checkpoints");
            long visible = System.nanoTime();
            sampler.finish(run, visible - first);
            result.job = run;
            result.created = created;
            result.studentPoints = studentPoints.getAsLong() - studentPoints0;
            result.bookPoints = bookPoints.getAsLong() - bookPoints0;
            result.checkpoints = (long) (LocalMetricReporter.gauge(jobName, "numberOfCompletedCheckpoints")
                    - checkpoints0);
            result.checkpointsWithWrites = result.checkpoints;
            Map<TopicPartition, Long> end = endOffsets(checkoutsTopic);
            sampler.stop();

            if (latency) {
                result.latencyRate = rate > 0 ? rate : run.eventsPerSecond / 2;
                result.latencies = latencyRun(producer, checkoutsTopic, lib, studentCollection, result.latencyRate);
            }
            job.cancel().get();
            cancelled = true;
            result.ceiling = ceiling(options, checkoutsTopic, end, n, created, interval);
            return result;
        } finally {
            sampler.stop();
            if (!cancelled) {
                job.cancel().get();
            }
        }
    }

    private JobClient checkoutsJob(JobOptions options, DeliveryGuarantee guarantee, String savepoint,
            String jobName) throws Exception {
        StreamExecutionEnvironment env = environment(options, guarantee, savepoint);
        new ShelfstreamJob(options, ShelfstreamJob.booksSource(options), ShelfstreamJob.studentsSource(options),
                ShelfstreamJob.checkoutsSource(options), qdrantSink(options, guarantee),
                ShelfstreamJob.deadLetterSink(options)).build(env);
        return env.executeAsync(jobName);
    }

    /** Sends the first {@code n} checkout records of the generator; returns {created, returned, nanos}. */
    private static long[] send(KafkaProducer<byte[], byte[]> producer, String topic, LibraryGenerator generator,
            int n, double perSecond) {
        long created = 0;
        long returned = 0;
        long started = System.nanoTime();
        Iterator<GeneratedRecord> records = generator.records(EventTopic.CHECKOUTS).iterator();
        for (int i = 0; i < n && records.hasNext(); i++) {
            GeneratedRecord r = records.next();
            if (((CheckoutEvent) r.event()).eventType() == CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED) {
                created++;
            } else {
                returned++;
            }
            producer.send(new ProducerRecord<>(topic, r.keyBytes(), r.value()));
            if (perSecond > 0 && i % 100 == 0) {
                pace(started, i, perSecond);
            }
        }
        producer.flush();
        return new long[] {created, returned, System.nanoTime() - started};
    }

    private static void pace(long started, long sent, double perSecond) {
        long due = started + (long) (sent / perSecond * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Sends generated checkouts at {@code perSecond} for {@code --latency-seconds} with a probe every
     * {@link #PROBE_EVERY}, polls the probe students' points, and returns the probes' latencies, ascending.
     */
    private long[] latencyRun(KafkaProducer<byte[], byte[]> producer, String topic, Library lib, String collection,
            double perSecond) throws Exception {
        LatencyProbe probe = new LatencyProbe(lib.probes);
        List<PointId> ids = new ArrayList<>();
        Map<String, String> studentByPoint = new HashMap<>();
        for (String s : lib.probes) {
            ids.add(PointIdFactory.id(PointIds.student(s)));
            studentByPoint.put(PointIds.student(s).toString(), s);
        }
        String probeBook = lib.generator.books().get(0).bookId();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong probesSent = new AtomicLong();
        Thread sender = new Thread(() -> {
            Iterator<GeneratedRecord> records = lib.generator.records(EventTopic.CHECKOUTS).iterator();
            long started = System.nanoTime();
            long nextProbe = started;
            long sent = 0;
            long end = started + Duration.ofSeconds(latencySeconds).toNanos();
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextProbe) {
                    long ts = System.currentTimeMillis();
                    LatencyProbe.Probe p;
                    synchronized (probe) {
                        p = probe.next(ts);
                    }
                    CheckoutEvent e = new CheckoutEvent("probe-" + p.studentId() + "-" + p.expectedCount(),
                            CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED, Instant.ofEpochMilli(ts),
                            "probe-" + p.studentId() + "-" + p.expectedCount(), p.studentId(), probeBook);
                    producer.send(new ProducerRecord<>(topic, null, ts, e.key().getBytes(), EventJson.toBytes(e)));
                    probesSent.incrementAndGet();
                    nextProbe += PROBE_EVERY.toNanos();
                }
                // the load: due records up to now, in slices of at most 10 ms
                long due = (long) ((now - started) / 1e9 * perSecond);
                while (sent < due) {
                    if (!records.hasNext()) {
                        records = lib.generator.records(EventTopic.CHECKOUTS).iterator();
                    }
                    GeneratedRecord r = records.next();
                    producer.send(new ProducerRecord<>(topic, r.keyBytes(), r.value()));
                    sent++;
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            producer.flush();
            sending.set(false);
        }, "bench-latency-producer");
        sender.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(latencySeconds + 60).toNanos();
        while (System.nanoTime() < deadline) {
            List<RetrievedPoint> points = client.retrieveAsync(collection, ids, true, false, null).get();
            long readAt = System.currentTimeMillis();
            synchronized (probe) {
                for (RetrievedPoint p : points) {
                    Value count = p.getPayloadMap().get("checkout_count");
                    if (count != null) {
                        probe.observe(studentByPoint.get(p.getId().getUuid()), count.getIntegerValue(), readAt);
                    }
                }
                if (!sending.get() && probe.pending() == 0) {
                    break;
                }
            }
            Thread.sleep(POLL_EVERY.toMillis());
        }
        sender.join();
        synchronized (probe) {
            if (probe.pending() > 0) {
                out.printf("  %d of %d probes not visible after the run%n", probe.pending(), probesSent.get());
            }
            return probe.sortedLatencies();
        }
    }

    private Run ceiling(JobOptions options, String topic, Map<TopicPartition, Long> end, int n, long created,
            Duration interval) throws Exception {
        String jobName = fresh("bench-ceiling");
        StreamExecutionEnvironment env = environment(options, DeliveryGuarantee.EXACTLY_ONCE);
        env.enableCheckpointing(interval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        CheckoutCeilingJob.build(env, ShelfstreamJob.topicSourceBuilder(options, topic)
                        .setGroupId(fresh("ceiling"))
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.offsets(end)).build(), TasteSettings.DEFAULTS)
                .sinkTo(new DiscardingSink<>()).name("Discard");
        LongSupplier parsed = () -> LocalMetricReporter.sum(jobName, "Parse checkouts events (ceiling)",
                "numRecordsIn");
        LongSupplier aggregated = () -> LocalMetricReporter.sum(jobName, "Student taste aggregate (ceiling)",
                "numRecordsOut");
        Progress progress = new Progress(aggregated, created, 0);
        Sampler sampler = new Sampler(jobName);
        JobClient job = env.executeAsync(jobName);
        sampler.start();
        try {
            long first = waitFor(() -> parsed.getAsLong() > 0, "ceiling: first checkout parsed");
            long last = waitFor(() -> aggregated.getAsLong() >= created, "ceiling: every checkout aggregated");
            Run run = new Run();
            run.events = n;
            run.eventsPerSecond = n / ((last - first) / 1e9);
            run.steadyEventsPerSecond = progress.steadyRate((double) n / created);
            sampler.finish(run, last - first);
            return run;
        } finally {
            sampler.stop();
            job.getJobExecutionResult().get();
        }
    }

    // ------------------------------------------------------------------------------------------------ sweep

    private void sweep() throws Exception {
        out.printf(Locale.ROOT, "%n== sweep (load average %.2f)%n", load());
        if (!workload.equals("books") && !workload.equals("backfill")) {
            studentSweep();
        }
        if (!workload.equals("checkouts")) {
            batchSweep();
        }
        out.println("sweep written to " + outDir.toAbsolutePath());
    }

    private void studentSweep() throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        double[][] job = new double[2][sweepStudents.length];
        double[][] ceil = new double[2][sweepStudents.length];
        int[] sizes = sweepStudents;
        for (int i = 0; i < sizes.length; i++) {
            int s = sizes[i];
            // no profiles: every student's aggregate lives in the taste operator's state for checkouts without a
            // profile (the same StudentTaste in RocksDB); embedding 1M profiles here would take hours
            Library lib = library(s, 0, books);
            out.printf(Locale.ROOT, "-- %,d students (aggregates without profiles), %,d checkout events%n", s,
                    events);
            CheckoutRun r = checkoutJob(lib, DeliveryGuarantee.EXACTLY_ONCE, checkpointInterval, events, false);
            r.job.print(out, "checkouts job");
            out.printf(Locale.ROOT, "  ceiling %,.0f events/s; job/ceiling %.2f%n", r.ceiling.eventsPerSecond,
                    r.job.eventsPerSecond / r.ceiling.eventsPerSecond);
            job[0][i] = s;
            job[1][i] = r.job.eventsPerSecond;
            ceil[0][i] = s;
            ceil[1][i] = r.ceiling.eventsPerSecond;
            rows.add(List.of(s, events, Math.round(r.job.eventsPerSecond), Math.round(r.ceiling.eventsPerSecond),
                    r.job.maxCheckpointMillis, r.job.maxCheckpointBytes, r.job.peakHeapMb, r.job.peakRssMb));
        }
        out.printf(Locale.ROOT, "checkouts events/s %,d -> %,d students: falls %.2fx (target: less than 2x)%n",
                sizes[0], sizes[sizes.length - 1], job[1][0] / job[1][sizes.length - 1]);
        BenchCharts.writeCsv(outDir.resolve("sweep-students.csv"), List.of("students", "events",
                "job_events_per_s", "ceiling_events_per_s", "max_checkpoint_ms", "max_checkpoint_bytes",
                "peak_heap_mb", "peak_rss_mb"), rows);
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("job (EXACTLY_ONCE)", job);
        series.put("ceiling (parse + aggregate)", ceil);
        BenchCharts.lineChart(outDir.resolve("sweep-students.png"), "Checkouts events/s by students (state size)",
                "students", "events/s", series, true);
    }

    private void batchSweep() throws Exception {
        List<List<Object>> bookRows = new ArrayList<>();
        int[] batches = {16, 64, 256};
        double[][] bookJob = new double[2][batches.length];
        double[][] bookBare = new double[2][batches.length];
        for (int i = 0; i < batches.length; i++) {
            double[] r = booksAndBackfill(Math.min(docs, 512), batches[i], false);
            bookJob[0][i] = batches[i];
            bookJob[1][i] = r[0];
            bookBare[0][i] = batches[i];
            bookBare[1][i] = r[1];
            bookRows.add(List.of(batches[i], Math.min(docs, 512), String.format(Locale.ROOT, "%.1f", r[0]),
                    String.format(Locale.ROOT, "%.1f", r[1])));
        }
        BenchCharts.writeCsv(outDir.resolve("sweep-batch.csv"), List.of("batch_size", "docs", "job_docs_per_s",
                "bare_model_docs_per_s"), bookRows);
        Map<String, double[][]> bookSeries = new LinkedHashMap<>();
        bookSeries.put("books job", bookJob);
        bookSeries.put("bare model", bookBare);
        BenchCharts.lineChart(outDir.resolve("sweep-batch.png"), "Books docs/s by embedding batch size",
                "embedding.batch.max-records", "docs/s", bookSeries, true);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private JobOptions baseOptions(String jdbcUrl, Duration interval) {
        return JobOptions.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.group-id", fresh("group"))
                .with("topic.books", fresh("books"))
                .with("topic.students", fresh("students"))
                .with("topic.checkouts", fresh("checkouts"))
                .with("topic.dead-letter", fresh("dlq"))
                .with("catalog.jdbc-url", jdbcUrl)
                .with("qdrant.url", "http://localhost:" + qdrant.port())
                .with("qdrant.collection.books", fresh("books"))
                .with("qdrant.collection.students", fresh("students"))
                .with("embedding.device", "cpu")
                .with("checkpoint.interval", interval.toMillis() + "ms")
                .with("parallelism", String.valueOf(parallelism));
    }

    /**
     * The state settings of a TaskManager started with {@code flink-conf/config.yaml}, which a MiniCluster does not
     * have by default: its managed memory (RocksDB's block cache and write buffers; a local environment gives 128 MB)
     * and RocksDB bloom filters. {@code DeploymentFilesTest} checks both against the file.
     */
    public static Configuration deployedStateSettings() {
        Configuration conf = new Configuration();
        conf.setString("taskmanager.memory.managed.size", DEPLOYED_MANAGED_MEMORY);
        conf.setString("state.backend.rocksdb.use-bloom-filter", "true");
        return conf;
    }

    private StreamExecutionEnvironment environment(JobOptions options, DeliveryGuarantee guarantee) {
        return environment(options, guarantee, null);
    }

    private StreamExecutionEnvironment environment(JobOptions options, DeliveryGuarantee guarantee,
            String savepoint) {
        Configuration conf = LocalMetricReporter.configure(new Configuration());
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        conf.set(RestOptions.BIND_PORT, "0");
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        conf.setString("taskmanager.numberOfTaskSlots", String.valueOf(Math.max(2, parallelism)));
        conf.addAll(deployedStateSettings());
        flinkConf.forEach(conf::setString);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        ShelfstreamJob.configure(env, options);
        if (guarantee == DeliveryGuarantee.AT_LEAST_ONCE) {
            env.enableCheckpointing(options.duration("checkpoint.interval").toMillis(),
                    CheckpointingMode.AT_LEAST_ONCE);
        }
        return env;
    }

    /** The job's Qdrant sink ({@link ShelfstreamJob#qdrantSink}) with the given delivery guarantee. */
    private static QdrantSink qdrantSink(JobOptions options, DeliveryGuarantee guarantee) {
        return QdrantSink.builder()
                .setEndpoint(QdrantEndpoint.parse(options.get("qdrant.url")))
                .setVectorSize(384)
                .setDeliveryGuarantee(guarantee)
                .addCollection(options.get("qdrant.collection.books"), ShelfstreamJob.BOOK_FILTER_FIELDS)
                .addCollection(options.get("qdrant.collection.students"), ShelfstreamJob.STUDENT_INDEXES)
                .build();
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
        return new KafkaProducer<>(p);
    }

    private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        int partitions = kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                .partitions().size();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                : kafka.admin().listOffsets(request).all().get().entrySet()) {
            end.put(e.getKey(), e.getValue().offset());
        }
        return end;
    }

    private long count(String collection) {
        try {
            return client.collectionExistsAsync(collection).get() ? client.countAsync(collection).get() : 0;
        } catch (Exception e) {
            throw new IllegalStateException("cannot count points of " + collection, e);
        }
    }

    /** Polls every 10 ms until {@code condition} holds; returns {@link System#nanoTime} then. */
    private static long waitFor(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + WAIT.toMinutes() + " min waiting for " + what);
            }
            Thread.sleep(10);
        }
        return System.nanoTime();
    }

    private static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private void close() {
        try {
            if (client != null) {
                client.close();
            }
            if (qdrant != null) {
                qdrant.close();
            }
            if (postgres != null) {
                postgres.close();
            }
            if (kafka != null) {
                kafka.close();
            }
        } catch (RuntimeException e) {
            out.println("bench e2e: while stopping the local services: " + e);
        }
    }

    // ------------------------------------------------------------------------------------------------ types

    private static final class Library {
        String db;
        String jdbcUrl;
        LibraryGenerator generator;
        int profileStudents;
        List<CatalogStudent> catalogStudents;
        final List<String> probes = new ArrayList<>();
    }

    private static final class CheckoutRun {
        Run job;
        Run ceiling;
        long created;
        long studentPoints;
        long bookPoints;
        long checkpoints;
        long checkpointsWithWrites;
        double latencyRate;
        long[] latencies = new long[0];
    }

    /** The figures of one job run. */
    static final class Run {
        long events;
        double eventsPerSecond;
        double steadyEventsPerSecond = Double.NaN;
        double totalSeconds;
        double visibleAfterLastSeconds = Double.NaN;
        long peakHeapMb;
        long peakRssMb;
        long maxCheckpointMillis;
        long maxCheckpointBytes;
        long checkpoints;
        double pointsPerSecond;
        long points;

        void print(PrintStream out, String label) {
            out.printf(Locale.ROOT, "  %s: %,d events, %,.1f events/s%s%s%n", label, events, eventsPerSecond,
                    Double.isNaN(steadyEventsPerSecond) ? ""
                            : String.format(Locale.ROOT, " (between 10%% and 90%% of the output: %,.0f/s)", steadyEventsPerSecond),
                    Double.isNaN(visibleAfterLastSeconds) ? ""
                            : String.format(Locale.ROOT, "; last point visible %.1f s after the last embedding, "
                                    + "%.1f s after submission", visibleAfterLastSeconds, totalSeconds));
            out.printf(Locale.ROOT, "    peak heap %,d MB, peak RSS %,d MB (this process: Flink, Kafka, Qdrant server; "
                            + "PostgreSQL runs apart); checkpoints: %d completed, max duration %,d ms, max size "
                            + "%,d KB; Qdrant points written %,d, %,.0f/s%n", peakHeapMb, peakRssMb, checkpoints,
                    maxCheckpointMillis, maxCheckpointBytes / 1024, points, pointsPerSecond);
        }
    }

    /**
     * Watches an output counter (checkouts aggregated) to give the rate between 10% and 90% of the output, which
     * leaves out the restore at the start and the last checkpoint's flush at the end.
     */
    private static final class Progress {
        private final LongSupplier counter;
        private final long n;
        private final long base;
        private volatile long at10;
        private volatile long at90;
        private final Thread thread;

        Progress(LongSupplier counter, long n, long base) {
            this.counter = counter;
            this.n = n;
            this.base = base;
            this.thread = new Thread(this::watch, "bench-progress");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        private void watch() {
            while (at90 == 0) {
                long done = counter.getAsLong() - base;
                long now = System.nanoTime();
                if (at10 == 0 && done >= n / 10) {
                    at10 = now;
                }
                if (done >= n * 9 / 10) {
                    at90 = now;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Counted items per second between 10% and 90% of them, scaled to {@code events / items} events each. */
        double steadyRate(double eventsPerItem) {
            return at90 == 0 || at10 == at90 ? Double.NaN : (0.8 * n * eventsPerItem) / ((at90 - at10) / 1e9);
        }
    }

    /** Samples heap, RSS and checkpoint gauges of a job while it runs. */
    private static final class Sampler {
        private final String jobName;
        private final AtomicBoolean running = new AtomicBoolean();
        private volatile long peakHeap;
        private volatile long peakRss;
        private volatile long maxCheckpointMillis;
        private volatile long maxCheckpointBytes;
        private long upserted0;
        private double checkpoints0;
        private Thread thread;

        Sampler(String jobName) {
            this.jobName = jobName;
        }

        /** Points Qdrant confirmed: counted by the committer (EXACTLY_ONCE) or by the writer (AT_LEAST_ONCE). */
        private long points() {
            return LocalMetricReporter.sum(jobName, "", SinkMetrics.POINTS_UPSERTED);
        }

        void start() {
            if (!running.compareAndSet(false, true)) {
                return;
            }
            upserted0 = points();
            checkpoints0 = checkpoints();
            thread = new Thread(() -> {
                while (running.get()) {
                    sample();
                    try {
                        Thread.sleep(SAMPLE_EVERY.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private double checkpoints() {
            double c = LocalMetricReporter.gauge(jobName, "numberOfCompletedCheckpoints");
            return Double.isNaN(c) ? 0 : c;
        }

        private void sample() {
            peakHeap = Math.max(peakHeap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            peakRss = Math.max(peakRss, rssBytes());
            double d = LocalMetricReporter.gauge(jobName, "lastCheckpointDuration");
            if (!Double.isNaN(d)) {
                maxCheckpointMillis = Math.max(maxCheckpointMillis, (long) d);
            }
            double size = LocalMetricReporter.gauge(jobName, "lastCheckpointFullSize");
            if (!Double.isNaN(size)) {
                maxCheckpointBytes = Math.max(maxCheckpointBytes, (long) size);
            }
        }

        void finish(Run run, long nanos) {
            sample();
            run.peakHeapMb = peakHeap >> 20;
            run.peakRssMb = peakRss >> 20;
            run.maxCheckpointMillis = maxCheckpointMillis;
            run.maxCheckpointBytes = maxCheckpointBytes;
            run.checkpoints = (long) (checkpoints() - checkpoints0);
            run.points = points() - upserted0;
            run.pointsPerSecond = run.points / (nanos / 1e9);
        }

        void stop() {
            running.set(false);
        }

        /** Resident set size of this process from /proc (0 where there is none). */
        private static long rssBytes() {
            try {
                for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no /proc: not Linux
            }
            return 0;
        }
    }
}
