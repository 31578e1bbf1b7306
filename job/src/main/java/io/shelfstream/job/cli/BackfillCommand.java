package io.shelfstream.job.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.PrintSink;

import io.shelfstream.connectors.qdrant.internal.SinkMetrics;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.schemas.DeadLetter;

/**
 * {@code ./shelfstream backfill [--entities books,students] [job options]}: reads the whole catalog with
 * flink-connector-jdbc's {@code JdbcSource} and sends every row through the job's embed and sink path (unchanged
 * text is skipped within the run, point ids are deterministic), as a bounded job in a local MiniCluster against
 * the configured PostgreSQL and Qdrant. It reads no Kafka topic.
 *
 * <p>Meant for a catalog that no job serves yet (the first deployment) or a collection to fill from scratch. Inside
 * a running job, use its option {@code --backfill.entities} instead: there the backfill meets the live events and
 * the newest catalog row wins for every key; this command, a separate job, cannot know what the running job has
 * written since it read a row.
 */
public final class BackfillCommand {

    private static final String JOB_NAME = "shelfstream-backfill";

    private BackfillCommand() {
    }

    /** Runs the command; returns the exit code (0 done, 1 failed, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> jobArgs = new ArrayList<>(List.of("--topic.books", "", "--topic.students", "",
                "--topic.checkouts", "", "--backfill.entities", "books,students"));
        JobOptions options;
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--help") || args[i].equals("-h")) {
                    out.println("usage: ./shelfstream backfill [--entities books,students] [--key value ...]");
                    out.println("  job options as for `run` (catalog.*, qdrant.*, embedding.*, backfill.splits, "
                            + "parallelism); see README, Backfill.");
                    return 0;
                }
                if (args[i].equals("--entities")) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--entities needs a value: books, students or both");
                    }
                    jobArgs.add("--backfill.entities");
                    jobArgs.add(args[++i]);
                } else {
                    jobArgs.add(args[i]);
                }
            }
            options = JobOptions.fromArgs(jobArgs.toArray(new String[0]));
            if (options.backfillEntities().isEmpty()) {
                throw new IllegalArgumentException("--entities must name books, students or both");
            }
        } catch (IllegalArgumentException e) {
            err.println("backfill: " + e.getMessage());
            return 2;
        }
        try {
            Result r = backfill(options);
            out.printf(Locale.ROOT, "Backfilled %s from %s into Qdrant %s: %,d catalog rows, %,d texts embedded, "
                    + "%,d points written in %.1f s (%.1f rows/s)%n", options.backfillEntities(),
                    options.get("catalog.jdbc-url"), options.get("qdrant.url"), r.rows, r.embedded, r.points,
                    r.seconds, r.rows / Math.max(r.seconds, 1e-9));
            return 0;
        } catch (Exception e) {
            err.println("backfill failed: " + rootMessage(e));
            return 1;
        }
    }

    /** What a backfill did. */
    record Result(long rows, long embedded, long points, double seconds) {
    }

    /** Runs the bounded backfill job and waits for it. */
    static Result backfill(JobOptions options) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
                options.positiveInt("parallelism"), LocalMetricReporter.configure(new Configuration()));
        ShelfstreamJob.configure(env, options);
        // backfill rows always have a catalog row, so nothing is rejected; should a dead letter appear anyway it
        // is printed, not lost, since this command does not use Kafka
        new ShelfstreamJob(options, null, null, null, ShelfstreamJob.qdrantSink(options),
                new PrintSink<DeadLetter>("dead letter", true)).build(env);
        long start = System.nanoTime();
        String name = JOB_NAME + "-" + Long.toHexString(start);
        env.execute(name);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(LocalMetricReporter.sum(name, "backfillRows"),
                LocalMetricReporter.sum(name, "embedding.docs"),
                LocalMetricReporter.sum(name, SinkMetrics.POINTS_UPSERTED), seconds);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
