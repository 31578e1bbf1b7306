package io.shelfstream.job.cli;

import static io.qdrant.client.ValueFactory.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.ValueFactory;
import io.qdrant.client.VectorFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;

/**
 * {@code ./shelfstream recommend} against the local Qdrant-compatible server: book and student points as the job
 * writes them (ids from {@link PointIds}, vectors of {@link EmbeddingTexts}); the student who likes dragons and
 * fantasy gets the fantasy book first, {@code recent_book_ids} are left out, filters apply, and an unknown student
 * or collection is one line with exit 1.
 */
class RecommendCommandITCase {

    private static String url;
    private static String books;
    private static String students;

    @BeforeAll
    static void loadCollections() throws Exception {
        url = "http://localhost:" + LocalServices.qdrant().port();
        books = TestNames.fresh("rec_books");
        students = TestNames.fresh("rec_students");
        List<String> texts = List.of(
                EmbeddingTexts.book("The Dragon of Ember Hill", "Ana Frost", "A young wizard befriends a dragon "
                        + "and defends a castle from an evil sorcerer.", List.of("fantasy", "adventure")),
                EmbeddingTexts.book("Journey to Mars", "Priya Nair", "Astronauts travel in a rocket to Mars and build "
                        + "a base on the red planet.", List.of("science fiction")),
                EmbeddingTexts.book("The Soccer Season", "Tom Berg", "A boy practises every day to make the school "
                        + "soccer team.", List.of("sports")),
                EmbeddingTexts.book("Baking with Grandma", "Rosa Lind", "Recipes for cookies, bread and cakes.",
                        List.of("cooking", "nonfiction")),
                EmbeddingTexts.student(4, "dragons, wizards and castles", List.of("fantasy")),
                EmbeddingTexts.student(6, "space, rockets and planets", List.of("science fiction")));
        float[][] v;
        try (MiniLmEmbedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            v = embedder.embed(texts);
        }
        try (QdrantClient client = QdrantEndpoint.parse(url).newClient()) {
            VectorParams params = VectorParams.newBuilder().setSize(384).setDistance(Distance.Cosine).build();
            client.createCollectionAsync(books, Map.of("text", params)).get(30, TimeUnit.SECONDS);
            client.createCollectionAsync(students, Map.of("text", params)).get(30, TimeUnit.SECONDS);
            client.upsertAsync(books, List.of(
                    book(v[0], "b-dragon", "The Dragon of Ember Hill", "grade 4", "fantasy", "adventure"),
                    book(v[1], "b-mars", "Journey to Mars", "grade 6", "science fiction"),
                    book(v[2], "b-soccer", "The Soccer Season", "grade 4", "sports"),
                    book(v[3], "b-baking", "Baking with Grandma", "grade 3", "cooking", "nonfiction")))
                    .get(30, TimeUnit.SECONDS);
            client.upsertAsync(students, List.of(
                    student(v[4], "s-dragons", 4, "dragons, wizards and castles", List.of("fantasy"), List.of()),
                    // the same taste, but the dragon book is among the recent checkouts
                    student(v[4], "s-read-it", 4, "dragons, wizards and castles", List.of("fantasy"),
                            List.of("b-dragon")),
                    student(v[5], "s-space", 6, "space, rockets and planets", List.of("science fiction"),
                            List.of())))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void dropCollections() throws Exception {
        try (QdrantClient client = QdrantEndpoint.parse(url).newClient()) {
            client.deleteCollectionAsync(books).get(30, TimeUnit.SECONDS);
            client.deleteCollectionAsync(students).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theStudentWhoLikesDragonsGetsTheFantasyBookFirst() {
        Result r = recommend("--student", "s-dragons");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).startsWith("Recommendations for student 's-dragons' (grade 4; likes dragons, wizards and "
                + "castles; genres fantasy) from '" + books + "': 4 hits");
        assertThat(r.header()).containsExactly("rank", "score", "book_id", "title", "author", "genres",
                "reading_level");
        assertThat(r.bookIds().get(0)).isEqualTo("b-dragon");
        assertThat(r.rows().get(0)).contains("The Dragon of Ember Hill", "fantasy, adventure", "grade 4");
        List<Double> scores = r.rows().stream().map(row -> Double.parseDouble(row.get(1))).toList();
        assertThat(scores).isSortedAccordingTo((a, b) -> Double.compare(b, a));

        Result space = recommend("--student", "s-space", "--limit", "1");
        assertThat(space.exit).as(space.err).isZero();
        assertThat(space.bookIds()).containsExactly("b-mars");
    }

    @Test
    void recentBooksAreLeftOutAndFiltersApply() {
        Result r = recommend("--student", "s-read-it");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains(", excluding 1 recently checked-out book: 3 hits");
        assertThat(r.bookIds()).doesNotContain("b-dragon").hasSize(3);

        Result filtered = recommend("--student", "s-dragons", "--filter", "genres=sports|cooking");
        assertThat(filtered.exit).as(filtered.err).isZero();
        assertThat(filtered.out).contains(" where genres=sports|cooking: 2 hits");
        assertThat(filtered.bookIds()).containsExactlyInAnyOrder("b-soccer", "b-baking");
    }

    @Test
    void anUnknownStudentOrCollectionIsOneLineAndExitOne() {
        Result r = recommend("--student", "s-1");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err).isEqualTo("recommend: no student 's-1' in collection '" + students + "' at " + url
                + System.lineSeparator());

        Result noCollection = run("--student", "s-dragons", "--students-collection", "no_such_students",
                "--books-collection", books, "--qdrant-url", url);
        assertThat(noCollection.exit).isEqualTo(1);
        assertThat(noCollection.err).isEqualTo("recommend: collection 'no_such_students' does not exist at " + url
                + "; is the job running against this Qdrant?" + System.lineSeparator());

        Result usage = run("--limit", "3");
        assertThat(usage.exit).isEqualTo(2);
        assertThat(usage.err).startsWith("recommend: missing --student ID");
    }

    private static Result recommend(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--qdrant-url", url, "--books-collection", books, "--students-collection", students));
        return run(all.toArray(new String[0]));
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RecommendCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static PointStruct book(float[] vector, String bookId, String title, String level, String... genres) {
        Map<String, Value> payload = new LinkedHashMap<>();
        payload.put("book_id", value(bookId));
        payload.put("title", value(title));
        payload.put("author", value("Some Author"));
        payload.put("genres", ValueFactory.list(Arrays.stream(genres).map(ValueFactory::value).toList()));
        payload.put("reading_level", value(level));
        return point(PointIds.book(bookId), vector, payload);
    }

    private static PointStruct student(float[] vector, String studentId, int grade, String interests,
            List<String> genres, List<String> recent) {
        Map<String, Value> payload = new LinkedHashMap<>();
        payload.put("student_id", value(studentId));
        payload.put("grade_level", value(grade));
        payload.put("interests", value(interests));
        payload.put("preferred_genres", ValueFactory.list(genres.stream().map(ValueFactory::value).toList()));
        payload.put("taste_source", value("profile"));
        if (!recent.isEmpty()) {
            payload.put("recent_book_ids", ValueFactory.list(recent.stream().map(ValueFactory::value).toList()));
        }
        return point(PointIds.student(studentId), vector, payload);
    }

    private static PointStruct point(UUID id, float[] vector, Map<String, Value> payload) {
        List<Float> v = new ArrayList<>(vector.length);
        for (float f : vector) {
            v.add(f);
        }
        return PointStruct.newBuilder()
                .setId(PointIdFactory.id(id))
                .setVectors(VectorsFactory.namedVectors(Map.of("text", VectorFactory.vector(v))))
                .putAllPayload(payload)
                .build();
    }

    /** What one run printed; table rows split on the two-space column gaps. */
    private record Result(int exit, String out, String err) {

        List<List<String>> table() {
            return out.lines().skip(1).map(l -> List.of(l.strip().split("\\s{2,}"))).toList();
        }

        List<String> header() {
            return table().get(0);
        }

        List<List<String>> rows() {
            List<List<String>> t = table();
            return t.isEmpty() ? List.of() : t.subList(1, t.size());
        }

        List<String> bookIds() {
            return rows().stream().map(r -> r.get(2)).toList();
        }
    }
}
