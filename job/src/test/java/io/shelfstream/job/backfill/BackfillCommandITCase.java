package io.shelfstream.job.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.qdrant.QdrantAliases;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.cli.BackfillCommand;
import io.shelfstream.job.testutils.PipelineFixture;
import io.shelfstream.schemas.CatalogBook;
import io.shelfstream.schemas.CatalogStudent;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * {@code ./shelfstream backfill} on a catalog of 5,000 books and 1,000 students and no events: every book and student
 * ends in Qdrant, with the catalog payload and vectors equal to direct embeddings of the catalog text (checked on a
 * random sample of each; all ids are checked). {@code -Dshelfstream.test.scale=N} checks N times as many vectors.
 */
class BackfillCommandITCase {

    private static final int SCALE = Integer.getInteger("shelfstream.test.scale", 1);

    @Test
    void aBackfillPutsEveryCatalogRowIntoQdrant() throws Exception {
        LibraryGenerator library = LibraryGenerator.create(GeneratorOptions.builder()
                .setBooks(5_000).setStudents(1_000).setCheckouts(0).setSeed(5).build());
        try (PipelineFixture fixture = PipelineFixture.create(1);
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            fixture.loadCatalog(library);
            JobOptions options = fixture.options();
            List<String> args = new ArrayList<>(List.of("--entities", "books,students"));
            for (String key : List.of("catalog.jdbc-url", "qdrant.url", "qdrant.collection.books",
                    "qdrant.collection.students", "embedding.device")) {
                args.add("--" + key);
                args.add(options.get(key));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = BackfillCommand.run(args.toArray(new String[0]), new PrintStream(out, true,
                    StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(exit).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(printed).contains("6,000 catalog rows").contains("6,000 texts embedded");

            Map<String, RetrievedPoint> books = fixture.points(fixture.booksCollection());
            Map<String, RetrievedPoint> students = fixture.points(fixture.studentsCollection());
            assertThat(books).hasSize(5_000);
            assertThat(students).hasSize(1_000);
            for (CatalogBook b : library.books()) {
                assertThat(books).containsKey(PointIds.book(b.bookId()).toString());
            }
            for (CatalogStudent s : library.students()) {
                assertThat(students).containsKey(PointIds.student(s.studentId()).toString());
            }

            Random random = new Random(9);
            List<CatalogBook> sampleBooks = sample(library.books(), 100 * SCALE, random);
            float[][] direct = embedder.embed(sampleBooks.stream().map(b -> EmbeddingTexts.book(b.title(), b.author(),
                    b.description(), b.genres())).toList());
            for (int i = 0; i < sampleBooks.size(); i++) {
                RetrievedPoint p = books.get(PointIds.book(sampleBooks.get(i).bookId()).toString());
                assertThat(QdrantPoints.cosine(direct[i], QdrantPoints.vector(p, "text")))
                        .as("book %s", sampleBooks.get(i).bookId()).isGreaterThanOrEqualTo(0.9999);
                assertThat(Payloads.toJava(p.getPayloadMap().get("title"))).isEqualTo(sampleBooks.get(i).title());
                assertThat(Payloads.toJava(p.getPayloadMap().get("source"))).isEqualTo("backfill");
            }
            List<CatalogStudent> sampleStudents = sample(library.students(), 50 * SCALE, random);
            direct = embedder.embed(sampleStudents.stream().map(s -> EmbeddingTexts.student(s.gradeLevel(),
                    s.interests(), s.preferredGenres())).toList());
            for (int i = 0; i < sampleStudents.size(); i++) {
                RetrievedPoint p = students.get(PointIds.student(sampleStudents.get(i).studentId()).toString());
                assertThat(QdrantPoints.cosine(direct[i], QdrantPoints.vector(p, "text")))
                        .as("student %s", sampleStudents.get(i).studentId()).isGreaterThanOrEqualTo(0.9999);
            }
        }
    }

    @Test
    void aVersionedBackfillOfANewModelSwitchesTheAliasesWhenItEnds() throws Exception {
        LibraryGenerator library = LibraryGenerator.create(GeneratorOptions.builder()
                .setBooks(60).setStudents(12).setCheckouts(0).setSeed(6).build());
        try (PipelineFixture fixture = PipelineFixture.create(1);
                QdrantAliases aliases = QdrantAliases.using(fixture.qdrant())) {
            fixture.loadCatalog(library);
            String books = fixture.booksCollection();
            String students = fixture.studentsCollection();
            // a first deployment (fp32): its collections, and the aliases created for them
            assertThat(backfill(fixture, "false")).isZero();
            assertThat(aliases.target(books)).contains(books + "__" + EmbedderOptions.BUNDLED_MODEL_ID);
            // the int8 model: a bounded job, so the switch happens at its final checkpoint
            assertThat(backfill(fixture, "true")).isZero();
            assertThat(aliases.target(books)).contains(books + "__" + EmbedderOptions.BUNDLED_QUANTIZED_MODEL_ID);
            assertThat(aliases.target(students))
                    .contains(students + "__" + EmbedderOptions.BUNDLED_QUANTIZED_MODEL_ID);
            assertThat(fixture.points(books)).hasSize(60);
            assertThat(fixture.points(students)).hasSize(12);
            assertThat(fixture.points(books).values()).allSatisfy(p -> assertThat(Payloads.toJava(
                    p.getPayloadMap().get("model_id"))).isEqualTo(EmbedderOptions.BUNDLED_QUANTIZED_MODEL_ID));
        }
    }

    private static int backfill(PipelineFixture fixture, String quantized) {
        JobOptions options = fixture.options();
        List<String> args = new ArrayList<>(List.of("--entities", "books,students", "--qdrant.versioned", "true",
                "--embedding.quantized", quantized));
        for (String key : List.of("catalog.jdbc-url", "qdrant.url", "qdrant.collection.books",
                "qdrant.collection.students", "embedding.device")) {
            args.add("--" + key);
            args.add(options.get(key));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = BackfillCommand.run(args.toArray(new String[0]), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
        return exit;
    }

    private static <T> List<T> sample(List<T> all, int n, Random random) {
        List<T> copy = new ArrayList<>(all);
        Collections.shuffle(copy, random);
        return copy.subList(0, Math.min(n, copy.size()));
    }
}
