package io.shelfstream.job.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.cli.StatusCommand;
import io.shelfstream.job.testutils.FailingSource;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.LibraryInput;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.generator.GeneratorOptions;

/**
 * The embedding ledger under failures: the whole job with {@code ledger.enabled} over a generated library, with six
 * task failures injected while events stream. At the end the ledger (written exactly-once through XA) holds one row
 * per Qdrant point and nothing else: the same point ids, content hashes and models, no duplicate row, no prepared
 * transaction left behind. {@code ./shelfstream status} then reports no drift (exit 0); after a point is deleted
 * behind the job's back it reports that point as missing (exit 1).
 */
class LedgerStatusITCase {

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);
    private static final int FAILURES = 6;
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobMetrics.miniCluster(METRICS);

    @Test
    void theLedgerMatchesQdrantOneForOneAndStatusFindsDrift() throws Exception {
        LibraryInput input = LibraryInput.generate(GeneratorOptions.builder()
                .setBooks(120 * SCALE).setStudents(40 * SCALE).setCheckouts(4_000 * SCALE).setSeed(404)
                .setMalformedFraction(0.01).setMaxRecordBytes(16 * 1024).build());
        int total = input.all().size();
        TreeSet<Long> points = new TreeSet<>();
        // far enough apart (in records emitted, replays included) that each failure is a restart of its own
        for (int i = 1; i <= FAILURES; i++) {
            points.add((long) total * i / (FAILURES + 2));
        }
        String plan = TestNames.fresh("ledger_failures");
        FailingSource.Plan failures = FailingSource.Plan.create(plan, points);

        try (PipelineFixture fixture = PipelineFixture.create(2)) {
            input.loadAndSend(fixture);
            JobOptions options = fixture.options()
                    .with("parallelism", "2")
                    .with("record.max-bytes", String.valueOf(16 * 1024))
                    .with("checkpoint.interval", "300ms")
                    .with("ledger.enabled", "true");
            StreamExecutionEnvironment env = PipelineFixture.restartingEnvironment(options, Duration.ofMillis(50));
            PipelineFixture.pacedJob(options, 300, plan).build(env);
            JobExecutionResult result = env.execute("ledger-under-failures");

            assertThat(failures.thrown()).as("injected failures").isEqualTo(FAILURES);
            assertThat(JobMetrics.restarts(METRICS, result.getJobID())).as("restarts").isGreaterThanOrEqualTo(5);

            for (String[] c : List.of(new String[] {"book", fixture.booksCollection()},
                    new String[] {"student", fixture.studentsCollection()})) {
                Map<String, List<String>> ledger = ledger(fixture, c[0]);
                Map<String, RetrievedPoint> qdrant = fixture.points(c[1]);
                assertThat(ledger.keySet()).as("%s ledger rows vs Qdrant points", c[0]).isEqualTo(qdrant.keySet());
                assertThat(ledger).as("%s rows", c[0]).isNotEmpty();
                for (Map.Entry<String, List<String>> row : ledger.entrySet()) {
                    var payload = qdrant.get(row.getKey()).getPayloadMap();
                    assertThat(List.of(Payloads.toJava(payload.get("content_hash")),
                            Payloads.toJava(payload.get("model_id")), Payloads.toJava(payload.get("event_id"))))
                            .as("%s %s", c[0], row.getKey()).isEqualTo(row.getValue());
                }
            }
            try (Connection db = fixture.catalog(); Statement s = db.createStatement()) {
                assertThat(count(s, "SELECT count(*) - count(DISTINCT (entity_type, entity_id)) FROM embedding_ledger"))
                        .as("duplicate rows").isZero();
                assertThat(count(s, "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"))
                        .as("prepared transactions left").isZero();
            }

            String[] args = statusArgs(options);
            Status clean = status(args);
            assertThat(clean.exit).as(clean.out).isZero();
            assertThat(clean.out).contains("No drift");

            // a point deleted behind the job's back
            String victim = fixture.points(fixture.booksCollection()).keySet().iterator().next();
            fixture.qdrant().deleteAsync(fixture.booksCollection(),
                    List.of(PointIdFactory.id(java.util.UUID.fromString(victim)))).get();
            Status drift = status(args);
            assertThat(drift.exit).as(drift.out).isEqualTo(1);
            assertThat(drift.out).contains("1 missing from Qdrant").contains(victim);
        }
    }

    private record Status(int exit, String out) {
    }

    private static Status status(String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = StatusCommand.run(args, print, print);
        return new Status(exit, out.toString(StandardCharsets.UTF_8));
    }

    private static String[] statusArgs(JobOptions options) {
        List<String> args = new ArrayList<>();
        for (String key : List.of("catalog.jdbc-url", "qdrant.url", "qdrant.collection.books",
                "qdrant.collection.students")) {
            args.add("--" + key);
            args.add(options.get(key));
        }
        return args.toArray(new String[0]);
    }

    /** Ledger rows of one entity type by point id: content hash, model, source event. */
    private static Map<String, List<String>> ledger(PipelineFixture fixture, String entity) throws Exception {
        Map<String, List<String>> rows = new HashMap<>();
        try (Connection db = fixture.catalog(); Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT point_id::text, content_hash, model_id, source_event_id "
                        + "FROM embedding_ledger WHERE entity_type = '" + entity + "'")) {
            while (rs.next()) {
                rows.put(rs.getString(1), List.of(rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        return rows;
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
