package io.shelfstream.job.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.shelfstream.connectors.qdrant.QdrantAliases;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.job.cli.CleanupCommand;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * A zero-downtime model migration, fp32 to int8, while events stream: the running job writes
 * {@code books__all-minilm-l6-v2} behind the alias {@code books}; a second job with {@code embedding.quantized}
 * backfills {@code books__all-minilm-l6-v2-q} from the catalog, follows the live topics, and switches the aliases
 * when it has caught up. A reader searching through the alias the whole time never gets an error or an empty
 * answer; afterwards every point behind both aliases carries the int8 model id and the newest catalog row, and
 * {@code cleanup} deletes the old collections.
 */
class ModelMigrationITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    void searchesThroughTheAliasNeverFailDuringTheSwitch() throws Exception {
        LibraryGenerator library = LibraryGenerator.create(GeneratorOptions.builder()
                .setBooks(150).setStudents(40).setCheckouts(0).setSeed(21).build());
        try (PipelineFixture fixture = PipelineFixture.create(1)) {
            fixture.loadCatalog(library);
            JobOptions fp32 = fixture.options()
                    .with("topic.checkouts", "")
                    .with("qdrant.versioned", "true")
                    .with("backfill.entities", "books,students");
            String booksAlias = fixture.booksCollection();
            String studentsAlias = fixture.studentsCollection();
            JobClient first = start(fp32, "fp32");
            JobClient second = null;
            AtomicBoolean reading = new AtomicBoolean(true);
            AtomicLong searches = new AtomicLong();
            List<String> problems = new ArrayList<>();
            Thread reader = null;
            try (QdrantAliases aliases = QdrantAliases.using(fixture.qdrant())) {
                String oldBooks = booksAlias + "__" + EmbedderOptions.BUNDLED_MODEL_ID;
                PipelineFixture.waitUntil("the fp32 collections are filled and aliased", () ->
                        oldBooks.equals(aliases.target(booksAlias).orElse(null))
                                && fixture.count(booksAlias) == 150 && fixture.count(studentsAlias) == 40);

                List<Float> query = randomUnitVector(new Random(3));
                reader = new Thread(() -> {
                    while (reading.get()) {
                        try {
                            int hits = fixture.qdrant().searchAsync(SearchPoints.newBuilder()
                                    .setCollectionName(booksAlias).setVectorName("text").addAllVector(query)
                                    .setLimit(5).setWithPayload(WithPayloadSelectorFactory.enable(true)).build())
                                    .get().size();
                            if (hits == 0) {
                                synchronized (problems) {
                                    problems.add("empty answer");
                                }
                            }
                        } catch (Exception e) {
                            synchronized (problems) {
                                problems.add(e.toString());
                            }
                        }
                        searches.incrementAndGet();
                    }
                }, "alias-reader");
                reader.start();

                // the migration: a second job with the int8 model, its own consumer group and dead-letter ids
                JobOptions int8 = fp32.with("embedding.quantized", "true")
                        .with("kafka.group-id", TestNames.fresh("group-int8"));
                second = start(int8, "int8");
                // live changes while it backfills
                try (Connection c = fixture.catalog(); Statement st = c.createStatement()) {
                    for (int i = 1; i <= 20; i++) {
                        String id = library.books().get(i * 7).bookId();
                        st.executeUpdate("UPDATE books SET title = title || ' (new edition)' WHERE book_id = '" + id
                                + "'");
                        fixture.kafka().send(fp32.get("topic.books"), id, "{\"event_id\":\"upd-" + id
                                + "\",\"event_type\":\"book_updated\",\"occurred_at\":\"2026-11-23T12:00:00Z\","
                                + "\"book_id\":\"" + id + "\"}");
                    }
                }
                String newBooks = booksAlias + "__" + EmbedderOptions.BUNDLED_QUANTIZED_MODEL_ID;
                String newStudents = studentsAlias + "__" + EmbedderOptions.BUNDLED_QUANTIZED_MODEL_ID;
                PipelineFixture.waitUntil("both aliases point at the int8 collections", () ->
                        newBooks.equals(aliases.target(booksAlias).orElse(null))
                                && newStudents.equals(aliases.target(studentsAlias).orElse(null)));
                PipelineFixture.waitUntil("the live updates are in the int8 collection", () ->
                        fixture.points(booksAlias).values().stream().filter(p -> String.valueOf(
                                Payloads.toJava(p.getPayloadMap().get("title"))).endsWith("(new edition)"))
                                .count() == 20);
                Thread.sleep(1_000);
            } finally {
                reading.set(false);
                if (reader != null) {
                    reader.join();
                }
                first.cancel().get();
                if (second != null) {
                    second.cancel().get();
                }
            }

            assertThat(searches.get()).as("searches during the migration").isGreaterThan(20);
            assertThat(problems).as("failed or empty searches through the alias").isEmpty();
            for (String alias : List.of(booksAlias, studentsAlias)) {
                Map<String, RetrievedPoint> points = fixture.points(alias);
                assertThat(points).hasSize(alias.equals(booksAlias) ? 150 : 40);
                assertThat(points.values()).allSatisfy(p -> assertThat(Payloads.toJava(p.getPayloadMap()
                        .get("model_id"))).isEqualTo(EmbedderOptions.BUNDLED_QUANTIZED_MODEL_ID));
            }

            // the old collections go with cleanup; the aliased ones stay
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = CleanupCommand.run(new String[] {"--qdrant.url", fp32.get("qdrant.url"),
                "--qdrant.collection.books", booksAlias, "--qdrant.collection.students", studentsAlias},
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            assertThat(exit).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("deleted " + booksAlias + "__" + EmbedderOptions.BUNDLED_MODEL_ID)
                    .contains("deleted " + studentsAlias + "__" + EmbedderOptions.BUNDLED_MODEL_ID);
            List<String> left = fixture.qdrant().listCollectionsAsync().get();
            assertThat(left).doesNotContain(booksAlias + "__" + EmbedderOptions.BUNDLED_MODEL_ID)
                    .contains(booksAlias + "__" + EmbedderOptions.BUNDLED_QUANTIZED_MODEL_ID);
            assertThat(fixture.count(booksAlias)).isEqualTo(150);
        }
    }

    private static JobClient start(JobOptions options, String name) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ShelfstreamJob.configure(env, options);
        new ShelfstreamJob(options, ShelfstreamJob.booksSource(options), ShelfstreamJob.studentsSource(options),
                null, ShelfstreamJob.qdrantSink(options), ShelfstreamJob.deadLetterSink(options)).build(env);
        return env.executeAsync("migration-" + name);
    }

    private static List<Float> randomUnitVector(Random random) {
        double[] v = new double[384];
        double n = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
            n += v[i] * v[i];
        }
        List<Float> out = new ArrayList<>();
        for (double x : v) {
            out.add((float) (x / Math.sqrt(n)));
        }
        return out;
    }
}
