package io.shelfstream.job.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.lookup.internal.LookupMetrics;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.job.operators.BookCatalogEnrichment;
import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.EnrichedBook;
import io.shelfstream.schemas.CatalogSql;

/**
 * {@code ./shelfstream bench enrichment [--records N] [--rows N] [--batch-size N] [--max-batch-delay D]
 * [--pool-size N] [--parallelism N]}: measures the books path's catalog lookup in one process, the same
 * {@link BookCatalogEnrichment} operator twice on the same ids, (a) batched with the given (default) batch settings
 * and (b) with one query per record (batch size 1, no batch delay), everything else equal.
 *
 * <p>It starts a local PostgreSQL, fills {@code books} with {@code --rows} rows (titles, authors, ~250-character
 * descriptions, genres), and runs each mode as a local Flink job: a generated stream of {@code --records} book
 * changes with ids drawn uniformly from the rows, keyed by book, through the lookup into a discarding sink. Each
 * mode runs once on a few thousand records to warm up, then for real. It prints lookups/s (records over the time from
 * the first to the last enriched record, which leaves out job start-up) and database round trips per 1,000 records,
 * read from the function's own {@code catalogLookup} metrics, plus records per query and lookup latency (p50/p99 of
 * the last 1,024 lookups of subtask 0). A third run sends removals, which need no query, through the same operator:
 * the ceiling the pipeline itself allows. Compare ratios across machines, not absolute figures.
 */
public final class EnrichmentBenchCommand {

    static final int DEFAULT_RECORDS = 50_000;
    static final int DEFAULT_ROWS = 20_000;
    private static final int WARMUP_RECORDS = 5_000;
    private static final long SEED = 42;

    private static final String USAGE = "usage: ./shelfstream bench enrichment [--records N] [--rows N] "
            + "[--batch-size N] [--max-batch-delay D] [--pool-size N] [--parallelism N]";

    /** First and last enriched record of a run, by run id. */
    private static final Map<String, long[]> TIMINGS = new ConcurrentHashMap<>();

    private EnrichmentBenchCommand() {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code bench enrichment}
     * @param out  where the report goes
     * @param err  where errors go
     * @return 0 on success, 1 if a run failed, 2 for bad arguments
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        int records = DEFAULT_RECORDS;
        int rows = DEFAULT_ROWS;
        int parallelism = 1;
        JobOptions options = JobOptions.defaults();
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--records" -> records = positive(value, option);
                    case "--rows" -> rows = positive(value, option);
                    case "--parallelism" -> parallelism = positive(value, option);
                    case "--batch-size" -> options = options.with("catalog.batch-size", value);
                    case "--max-batch-delay" -> options = options.with("catalog.max-batch-delay", value);
                    case "--pool-size" -> options = options.with("catalog.pool-size", value);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            BookCatalogEnrichment.create(options);
        } catch (IllegalArgumentException e) {
            err.println("bench enrichment: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try (LocalPostgres pg = LocalPostgres.start()) {
            String db = "bench_enrichment";
            String url = pg.createDatabase(db);
            pg.execute(db, CatalogSql.ddl());
            pg.execute(db, "INSERT INTO books (book_id, isbn, title, author, description, genres, reading_level) "
                    + "SELECT 'b-' || g, lpad(g::text, 13, '9'), 'Title of book ' || g, 'Author ' || (g % 997), "
                    + "repeat('A story about shelf ' || g || ' and what it holds. ', 6), "
                    + "ARRAY['genre-' || (g % 17), 'genre-' || (g % 5)], "
                    + "(ARRAY['early-reader','middle-grade','young-adult'])[1 + g % 3] "
                    + "FROM generate_series(0, " + (rows - 1) + ") g; ANALYZE books;");
            JobOptions batched = options.with("catalog.jdbc-url", url)
                    .with("catalog.user", LocalPostgres.USER).with("catalog.password", LocalPostgres.PASSWORD);
            JobOptions perRecord = batched.with("catalog.max-batch-delay", "0ms").with("catalog.batch-size", "1");

            out.printf(Locale.ROOT, "catalog lookup benchmark: %,d lookups of ids drawn from %,d catalog rows, "
                            + "parallelism %d, %d connections per subtask, capacity %s, embedded PostgreSQL%n",
                    records, rows, parallelism, batched.positiveInt("catalog.pool-size"),
                    batched.get("catalog.capacity"));
            String batchedLabel = "batched (batch " + batched.get("catalog.batch-size") + ", max delay "
                    + batched.get("catalog.max-batch-delay") + ")";
            runOnce("warm-up", batched, Math.min(records, WARMUP_RECORDS), rows, parallelism, false);
            runOnce("warm-up", perRecord, Math.min(records, WARMUP_RECORDS), rows, parallelism, false);
            Run a = runOnce("batched", batched, records, rows, parallelism, false);
            Run b = runOnce("per-record", perRecord, records, rows, parallelism, false);
            Run ceiling = runOnce("no-query", batched, records, rows, parallelism, true);

            out.printf(Locale.ROOT, "%-38s %12s %16s %14s %8s %8s%n", "mode", "lookups/s", "round trips/1k",
                    "records/query", "p50 ms", "p99 ms");
            print(out, batchedLabel, a);
            print(out, "one query per record", b);
            print(out, "no query (removals: pipeline ceiling)", ceiling);
            out.printf(Locale.ROOT, "batched vs one query per record: %.1fx the lookups/s, %.1f%% of the round "
                    + "trips%n", a.lookupsPerSecond() / b.lookupsPerSecond(),
                    100.0 * a.roundTripsPer1000() / b.roundTripsPer1000());
            return 0;
        } catch (Exception e) {
            err.println("bench enrichment: failed: " + e);
            return 1;
        }
    }

    private static void print(PrintStream out, String label, Run run) {
        boolean queried = run.roundTrips > 0;
        out.printf(Locale.ROOT, "%-38s %,12.0f %16.1f %14s %8s %8s%n", label, run.lookupsPerSecond(),
                run.roundTripsPer1000(), queried ? String.format(Locale.ROOT, "%.1f", (double) run.lookups
                        / run.roundTrips) : "-", queried ? millis(run.p50Millis) : "-",
                queried ? millis(run.p99Millis) : "-");
    }

    private static String millis(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static Run runOnce(String mode, JobOptions options, int records, int rows, int parallelism,
            boolean removals) throws Exception {
        Configuration config = LocalMetricReporter.configure(new Configuration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, config);
        String runId = UUID.randomUUID().toString();
        String jobName = "enrichment-bench-" + mode + "-" + runId.substring(0, 8);
        TIMINGS.put(runId, new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        BookCatalogEnrichment.create(options)
                .orderedWait(env.fromSource(new DataGeneratorSource<>(new Changes(rows, removals),
                                records, TypeInformation.of(BookChange.class)),
                        WatermarkStrategy.noWatermarks(), "book changes").keyBy(BookChange::bookId))
                .uid(ShelfstreamJob.UID_CATALOG_LOOKUP)
                .name("Catalog lookup: books")
                .map(new Stamp(runId))
                .returns(Types.BOOLEAN)
                .sinkTo(new DiscardingSink<>());
        env.execute(jobName);
        long[] span = TIMINGS.remove(runId);
        Run run = new Run();
        run.records = records;
        run.nanos = Math.max(1, span[1] - span[0]);
        run.lookups = LocalMetricReporter.sum(jobName, LookupMetrics.LOOKUPS);
        run.roundTrips = LocalMetricReporter.sum(jobName, LookupMetrics.DB_ROUND_TRIPS);
        var latency = LocalMetricReporter.histogram(jobName, LookupMetrics.LOOKUP_LATENCY_MS);
        if (latency != null) {
            HistogramStatistics stats = latency.getStatistics();
            run.p50Millis = stats.getQuantile(0.5);
            run.p99Millis = stats.getQuantile(0.99);
        }
        return run;
    }

    private static int positive(String value, String option) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(option + " must be a positive integer, got '" + value + "'");
    }

    /** The figures of one run. */
    private static final class Run {
        long records;
        long nanos;
        long lookups;
        long roundTrips;
        double p50Millis = Double.NaN;
        double p99Millis = Double.NaN;

        double lookupsPerSecond() {
            return records / (nanos / 1e9);
        }

        double roundTripsPer1000() {
            return 1000.0 * roundTrips / records;
        }
    }

    /** Book changes with ids drawn uniformly and reproducibly from the catalog rows; removals need no query. */
    private static final class Changes implements GeneratorFunction<Long, BookChange> {
        private static final long serialVersionUID = 1L;
        private final int rows;
        private final boolean removals;

        Changes(int rows, boolean removals) {
            this.rows = rows;
            this.removals = removals;
        }

        @Override
        public BookChange map(Long index) {
            long z = (index + SEED) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            return new BookChange("b-" + Math.floorMod(z, (long) rows), removals, "e-" + index, "bench", 0, index);
        }
    }

    /** Notes when the first and the last enriched record came out. */
    private static final class Stamp implements MapFunction<EnrichedBook, Boolean> {
        private static final long serialVersionUID = 1L;
        private final String runId;

        Stamp(String runId) {
            this.runId = runId;
        }

        @Override
        public Boolean map(EnrichedBook book) {
            long now = System.nanoTime();
            long[] span = TIMINGS.get(runId);
            synchronized (span) {
                span[0] = Math.min(span[0], now);
                span[1] = Math.max(span[1], now);
            }
            return book.found();
        }
    }
}
