package io.shelfstream.embedding;

import static io.shelfstream.embedding.testutils.MiniLmReference.cosine;
import static io.shelfstream.embedding.testutils.MiniLmReference.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shelfstream.embedding.internal.MiniLmTokenizer;
import io.shelfstream.embedding.testutils.MiniLmReference;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fp32 model on the CPU against sentence-transformers reference vectors. */
class MiniLmEmbedderTest {

    private static final String FOX = "The quick brown fox jumps over the lazy dog. ";

    private static MiniLmEmbedder embedder;

    @BeforeAll
    static void createEmbedder() {
        embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice(Device.CPU).build());
    }

    @AfterAll
    static void closeEmbedder() {
        if (embedder != null) {
            embedder.close();
        }
    }

    @Test
    void describesTheBundledModel() {
        assertThat(embedder.modelId()).isEqualTo("all-minilm-l6-v2");
        assertThat(embedder.dimension()).isEqualTo(384);
        assertThat(embedder.deviceInUse()).isEqualTo("cpu");
    }

    @Test
    void keepsDjlOfflineUnlessConfiguredOtherwise() {
        assumeTrue(System.getenv("DJL_OFFLINE") == null, "DJL_OFFLINE is set in the environment");
        assertThat(System.getProperty(MiniLmTokenizer.DJL_OFFLINE_PROPERTY)).isEqualTo("true");
    }

    @Test
    void matchesEveryReferenceVector() {
        List<MiniLmReference.Entry> reference = MiniLmReference.entries();
        assertThat(reference).hasSize(15);
        float[][] vectors = embedder.embed(MiniLmReference.texts());
        assertThat(vectors.length).isEqualTo(reference.size());
        for (int i = 0; i < reference.size(); i++) {
            assertThat(vectors[i]).as("vector %d", i).hasSize(384);
            assertThat(cosine(vectors[i], reference.get(i).vector()))
                    .as("cosine to the reference of text %d: %s", i, reference.get(i).text())
                    .isGreaterThanOrEqualTo(0.9999);
        }
    }

    @Test
    void countsTokensLikeTheReference() {
        for (MiniLmReference.Entry entry : MiniLmReference.entries()) {
            assertThat(embedder.countTokens(entry.text())).as(entry.text()).isEqualTo(entry.tokens());
        }
    }

    @Test
    void reproducesThePublishedSentenceTransformersSimilarities() {
        // sbert's quickstart: weather/sunny 0.6660, weather/stadium 0.1046, sunny/stadium 0.1411
        float[][] v = embedder.embed(MiniLmReference.texts().subList(0, 3));
        assertThat(cosine(v[0], v[1])).isCloseTo(0.6660, within(1e-3));
        assertThat(cosine(v[0], v[2])).isCloseTo(0.1046, within(1e-3));
        assertThat(cosine(v[1], v[2])).isCloseTo(0.1411, within(1e-3));
    }

    @Test
    void returnsUnitVectors() {
        for (float[] vector : embedder.embed(List.of("Frindle.", "", FOX.repeat(3)))) {
            double squares = 0;
            for (float x : vector) {
                squares += x * x;
            }
            assertThat(Math.sqrt(squares)).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void vectorDoesNotDependOnTheOtherTextsOfTheBatch() {
        String text = "Hatchet. A boy survives alone in the Canadian wilderness after a plane crash.";
        float[] alone = embedder.embed(List.of(text))[0];
        List<String> mixed =
                List.of(
                        FOX.repeat(40),
                        "Hi.",
                        text,
                        FOX.repeat(12),
                        "Coraline.",
                        FOX.repeat(30),
                        "A");
        float[][] together = embedder.embed(mixed);
        assertThat(maxAbsDifference(together[2], alone)).isLessThanOrEqualTo(1e-5);

        // same batch cut into many small sub-batches
        try (MiniLmEmbedder small =
                MiniLmEmbedder.create(
                        EmbedderOptions.builder()
                                .setDevice(Device.CPU)
                                .setMaxBatchRecords(2)
                                .setMaxBatchTokens(300)
                                .build())) {
            float[][] split = small.embed(mixed);
            for (int i = 0; i < mixed.size(); i++) {
                assertThat(maxAbsDifference(split[i], together[i])).as("text %d", i).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    @Test
    void keepsTheInputOrder() {
        List<String> texts = new ArrayList<>(MiniLmReference.texts().subList(0, 10));
        Collections.reverse(texts); // lengths now unsorted in a different way than in the file
        float[][] vectors = embedder.embed(new LinkedList<>(texts));
        for (int i = 0; i < texts.size(); i++) {
            float[] expected = embedder.embed(texts.get(i));
            assertThat(maxAbsDifference(vectors[i], expected)).as("text %d", i).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void truncatesTo256TokensAndKeepsTheTrailingSep() {
        String longText = FOX.repeat(60); // 600 word pieces
        // 25 sentences of 10 word pieces + 4 more: the first 254 word pieces of longText
        String first254 = FOX.repeat(25) + "The quick brown fox";

        assertThat(embedder.countTokens(longText)).isEqualTo(256);
        assertThat(embedder.countTokens(first254)).isEqualTo(256);
        String[] tokens = embedder.tokenizer().tokens(longText);
        assertThat(tokens[0]).isEqualTo("[CLS]");
        assertThat(tokens[255]).isEqualTo("[SEP]");
        assertThat(tokens).containsExactly(embedder.tokenizer().tokens(first254));

        float[][] vectors = embedder.embed(List.of(longText, first254));
        assertThat(maxAbsDifference(vectors[0], vectors[1])).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void truncationKeepsSepForTextsOfDistinctWords() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            text.append("word").append(i).append(' ');
        }
        String[] tokens = embedder.tokenizer().tokens(text.toString());
        assertThat(tokens).hasSize(256);
        assertThat(tokens[255]).isEqualTo("[SEP]");
        assertThat(embedder.countTokens(text.toString())).isEqualTo(256);
    }

    @Test
    void embedsNullAsTheEmptyString() {
        MiniLmReference.Entry empty = MiniLmReference.entries().get(13);
        assertThat(empty.text()).isEmpty();
        float[][] vectors = embedder.embed(Arrays.asList(null, ""));
        assertThat(maxAbsDifference(vectors[0], vectors[1])).isZero();
        assertThat(cosine(vectors[0], empty.vector())).isGreaterThanOrEqualTo(0.9999);
        assertThat(embedder.countTokens(null)).isEqualTo(2);
    }

    @Test
    void emptyListGivesEmptyArray() {
        assertThat(embedder.embed(List.of())).isEmpty();
    }

    @Test
    void concurrentCallersGetTheSameVectors() throws Exception {
        List<String> texts = MiniLmReference.texts().subList(0, 13);
        float[][] expected = embedder.embed(texts);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int call = 0; call < 8; call++) {
                List<String> shuffled = new ArrayList<>(texts);
                Collections.rotate(shuffled, call);
                int rotation = call;
                results.add(
                        pool.submit(
                                () -> {
                                    float[][] vectors = embedder.embed(shuffled);
                                    // undo the rotation so results line up with `texts`
                                    List<float[]> aligned = new ArrayList<>(Arrays.asList(vectors));
                                    Collections.rotate(aligned, -rotation);
                                    return aligned.toArray(new float[0][]);
                                }));
            }
            for (Future<float[][]> result : results) {
                float[][] vectors = result.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(maxAbsDifference(vectors[i], expected[i])).isLessThanOrEqualTo(1e-5);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingModelFileFailsWithTheFix() {
        EmbedderOptions options =
                EmbedderOptions.builder()
                        .setDevice(Device.CPU)
                        .setModelPath(Paths.get("/nonexistent/model.onnx"))
                        .setTokenizerPath(Paths.get("/nonexistent/tokenizer.json"))
                        .build();
        assertThatThrownBy(() -> MiniLmEmbedder.create(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modelPath /nonexistent/model.onnx is not a readable file");
    }
}
