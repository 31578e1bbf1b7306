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

/**
 * {@code ./shelfstream search} against the local Qdrant-compatible server: books embedded with the job's model,
 * searched semantically, filtered, limited, and an unknown collection reported in one line.
 */
class SearchCommandITCase {

    private static String url;
    private static String books;
    private static String students;

    @BeforeAll
    static void loadCollections() throws Exception {
        url = "http://localhost:" + LocalServices.qdrant().port();
        books = TestNames.fresh("search_books");
        students = TestNames.fresh("search_students");
        List<String> texts = List.of(
                "Dragons of the Frozen North. A young girl befriends an ice dragon and flies across the frozen"
                        + " northern mountains.",
                "The Secret of the Locked Library. Two friends solve the mystery of a stolen book and a hidden key"
                        + " in their school library.",
                "Journey to Mars. Astronauts travel in a rocket to Mars and build a base on the red planet.",
                "The Soccer Season. A boy practises every day to make the school soccer team and win the"
                        + " championship.",
                "Baking with Grandma. Recipes for cookies, bread and cakes, baked together in grandma's kitchen.",
                "Ocean Creatures. Whales, sharks and octopuses that live in the deep sea.",
                "Student who loves horses and stories about farms.",
                "Student who reads everything about space and planets.");
        float[][] vectors;
        try (MiniLmEmbedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            vectors = embedder.embed(texts);
        }
        try (QdrantClient client = QdrantEndpoint.parse(url).newClient()) {
            VectorParams params = VectorParams.newBuilder().setSize(384).setDistance(Distance.Cosine).build();
            client.createCollectionAsync(books, Map.of("text", params)).get(30, TimeUnit.SECONDS);
            client.createCollectionAsync(students, Map.of("text", params)).get(30, TimeUnit.SECONDS);
            List<PointStruct> bookPoints = List.of(
                    book(1, vectors[0], "b-0001", "Dragons of the Frozen North", "Ana Frost", "grade 5", 7,
                            "fantasy", "adventure"),
                    book(2, vectors[1], "b-0002", "The Secret of the Locked Library", "Milo Reyes", "grade 4", 2,
                            "mystery"),
                    book(3, vectors[2], "b-0003", "Journey to Mars", "Priya Nair", "grade 6", 9,
                            "science fiction"),
                    book(4, vectors[3], "b-0004", "The Soccer Season", "Tom Berg", "grade 4", 1, "sports"),
                    book(5, vectors[4], "b-0005", "Baking with Grandma", "Rosa Lind", "grade 3", 4, "cooking",
                            "nonfiction"),
                    // no author and no reading_level: those cells fall back to "-"
                    point(6, vectors[5], Map.of("book_id", value("b-0006"), "title", value("Ocean Creatures"),
                            "checkout_count", value(5), "genres", ValueFactory.list(
                                    List.of(value("science"), value("nonfiction"))))));
            client.upsertAsync(books, bookPoints).get(30, TimeUnit.SECONDS);
            client.upsertAsync(students, List.of(
                    point(11, vectors[6], Map.of("student_id", value("s-0001"), "grade", value(3))),
                    point(12, vectors[7], Map.of("student_id", value("s-0002"), "grade", value(6)))))
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
    void theSemanticallyClosestBookComesFirstWithItsPayload() {
        Result r = search("a dragon flying over icy mountains", "--collection", books);
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).startsWith("Search \"a dragon flying over icy mountains\" in '" + books + "': 6 hits");
        assertThat(r.header()).containsExactly("rank", "score", "book_id", "title", "author", "genres",
                "reading_level");
        List<String> top = r.rows().get(0);
        assertThat(top).containsExactly("1", top.get(1), "b-0001", "Dragons of the Frozen North", "Ana Frost",
                "fantasy, adventure", "grade 5");
        assertThat(top.get(1)).matches("0\\.\\d{3}");
        // scores descend
        List<Double> scores = r.rows().stream().map(row -> Double.parseDouble(row.get(1))).toList();
        assertThat(scores).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        // a point without author and reading_level still prints
        assertThat(r.row("b-0006")).containsExactly(r.row("b-0006").get(0), r.row("b-0006").get(1), "b-0006",
                "Ocean Creatures", "-", "science, nonfiction", "-");

    }

    @Test
    void aGenreFilterExcludesTheOtherBooks() {
        Result nonfiction = search("a dragon flying over icy mountains", "--collection", books,
                "--filter", "genres=nonfiction");
        assertThat(nonfiction.exit).as(nonfiction.err).isZero();
        assertThat(nonfiction.out).contains(" where genres=nonfiction: 2 hits");
        assertThat(nonfiction.bookIds()).containsExactlyInAnyOrder("b-0005", "b-0006");

        Result anyOf = search("a dragon flying over icy mountains", "--collection", books,
                "--filter", "genres=mystery|sports");
        assertThat(anyOf.bookIds()).containsExactlyInAnyOrder("b-0002", "b-0004");

        // every filter must hold: a keyword and a numeric range (b-0003 has 9 checkouts, b-0006 no reading_level)
        Result popular = search("books", "--collection", books, "--filter", "checkout_count>=5",
                "--filter", "checkout_count<=8", "--filter", "reading_level=grade 5|grade 6");
        assertThat(popular.bookIds()).containsExactly("b-0001");

        Result none = search("books", "--collection", books, "--filter", "genres=poetry");
        assertThat(none.exit).isZero();
        assertThat(none.out.strip()).endsWith(": 0 hits");
        assertThat(none.rows()).isEmpty();
    }

    @Test
    void theLimitAndScoreThresholdAreRespected() {
        Result two = search("rockets and astronauts exploring planets", "--collection", books, "--limit", "2");
        assertThat(two.exit).as(two.err).isZero();
        assertThat(two.out).contains(": 2 hits");
        assertThat(two.rows()).hasSize(2);
        assertThat(two.rows().get(0).subList(0, 3)).containsExactly("1", two.rows().get(0).get(1), "b-0003");
        assertThat(two.rows().get(1).get(0)).isEqualTo("2");

        Result strict = search("a dragon flying over icy mountains", "--collection", books,
                "--show-score-threshold", "0.3");
        assertThat(strict.bookIds()).contains("b-0001").doesNotContain("b-0004", "b-0005");
        assertThat(strict.rows()).allSatisfy(row -> assertThat(Double.parseDouble(row.get(1))).isGreaterThan(0.29));
    }

    @Test
    void pointsWithoutBookPayloadShowTheirPayload() {
        Result r = search("space and planets", "--collection", students, "--filter", "grade>=4");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.header()).containsExactly("rank", "score", "id", "payload");
        assertThat(r.rows()).hasSize(1);
        assertThat(r.rows().get(0).subList(2, 4)).containsExactly("s-0002", "grade=6");
    }

    @Test
    void anUnknownCollectionIsOneLineAndExitOne() {
        Result r = search("dragons", "--collection", "no_such_books");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err).isEqualTo("search: collection 'no_such_books' does not exist at " + url
                + "; is the job running against this Qdrant?" + System.lineSeparator());

        Result badVector = search("dragons", "--collection", books, "--vector-name", "image");
        assertThat(badVector.exit).isEqualTo(1);
        assertThat(badVector.err.lines()).hasSize(1);
        assertThat(badVector.err).startsWith("search: Qdrant at " + url + " rejected the search of '" + books + "'");
    }

    private static Result search(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--qdrant-url", url, "--device", "cpu"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = SearchCommand.run(all.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static PointStruct book(long id, float[] vector, String bookId, String title, String author,
            String level, long checkouts, String... genres) {
        Map<String, Value> payload = new LinkedHashMap<>();
        payload.put("book_id", value(bookId));
        payload.put("title", value(title));
        payload.put("author", value(author));
        payload.put("genres", ValueFactory.list(Arrays.stream(genres).map(ValueFactory::value).toList()));
        payload.put("reading_level", value(level));
        payload.put("checkout_count", value(checkouts));
        return point(id, vector, payload);
    }

    private static PointStruct point(long id, float[] vector, Map<String, Value> payload) {
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

        List<String> row(String bookId) {
            return rows().stream().filter(r -> r.get(2).equals(bookId)).findFirst().orElseThrow();
        }
    }
}
