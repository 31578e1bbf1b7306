package io.shelfstream.embedding;

import static io.shelfstream.embedding.testutils.MiniLmReference.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Texts at the edges of what the library catalog may hold: empty, blank, longer than the model
 * sees, non-Latin scripts and emoji, alone and mixed in one batch.
 */
class MiniLmEmbedderEdgeCasesTest {

    private static final String LONG_TEXT =
            ("A girl who tends a remote lighthouse discovers a shipwrecked stranger and must decide"
                            + " whom to trust as a storm cuts the island off from the mainland. ")
                    .repeat(12);

    /** Each edge case by name, in the order they are mixed into one batch. */
    private static final Map<String, String> EDGE_TEXTS = edgeTexts();

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

    private static Map<String, String> edgeTexts() {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("empty", "");
        texts.put("whitespace only", " \t\n  \u00a0\u3000 ");
        texts.put("over 256 tokens", LONG_TEXT);
        texts.put("Japanese", "図書館で新しい本を借りました。竜の物語です。");
        texts.put("Chinese", "我喜欢在图书馆看关于龙的书。");
        texts.put("Korean", "도서관에서 용에 관한 책을 읽어요.");
        texts.put("Arabic", "ذهبت إلى المكتبة لاستعارة كتاب جديد عن التنانين.");
        texts.put("Cyrillic", "Я взял в библиотеке новую книгу о драконах.");
        texts.put("emoji", "📚🐉✨ dragons and books 🧙‍♀️👩🏽‍🚀");
        texts.put("emoji only", "🐉🐉🐉");
        texts.put("mixed scripts", "Hatchet (斧) — Топор — فأس 🪓");
        return texts;
    }

    @Test
    void everyEdgeCaseGivesAUnitVectorOf384Floats() {
        for (Map.Entry<String, String> text : EDGE_TEXTS.entrySet()) {
            float[] vector = embedder.embed(text.getValue());
            assertThat(vector).as(text.getKey()).hasSize(384);
            double squares = 0;
            for (float x : vector) {
                assertThat(Float.isFinite(x)).as("%s: finite components", text.getKey()).isTrue();
                squares += (double) x * x;
            }
            assertThat(Math.sqrt(squares)).as(text.getKey()).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void aBatchMixingEveryEdgeCaseGivesEachTextItsOwnVector() {
        List<String> names = new ArrayList<>(EDGE_TEXTS.keySet());
        List<String> texts = new ArrayList<>(EDGE_TEXTS.values());
        // twice, in two orders, so that each text shares sub-batches with different neighbours
        List<String> batch = new ArrayList<>(texts);
        for (int i = texts.size() - 1; i >= 0; i--) {
            batch.add(texts.get(i));
        }
        float[][] together = embedder.embed(batch);
        for (int i = 0; i < batch.size(); i++) {
            String name = names.get(i < texts.size() ? i : 2 * texts.size() - 1 - i);
            float[] alone = embedder.embed(batch.get(i));
            assertThat(maxAbsDifference(together[i], alone))
                    .as("%s at position %d", name, i)
                    .isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void whitespaceOnlyIsEmbeddedLikeTheEmptyText() {
        String blank = EDGE_TEXTS.get("whitespace only");
        assertThat(embedder.countTokens(blank)).isEqualTo(2);
        assertThat(maxAbsDifference(embedder.embed(blank), embedder.embed(""))).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void textOver256TokensIsTruncatedToWhatTheModelSees() {
        assertThat(embedder.countTokens(LONG_TEXT)).isEqualTo(256);
        assertThat(embedder.countTokens(LONG_TEXT + " And then the lighthouse went dark forever."))
                .isEqualTo(256);
        float[] vector = embedder.embed(LONG_TEXT);
        float[] longer = embedder.embed(LONG_TEXT + " And then the lighthouse went dark forever.");
        assertThat(maxAbsDifference(vector, longer)).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void nonLatinScriptsAreTokenizedNotDropped() {
        for (String name : List.of("Japanese", "Chinese", "Korean", "Arabic", "Cyrillic")) {
            // more than [CLS] and [SEP]: the script's characters reach the model
            assertThat(embedder.countTokens(EDGE_TEXTS.get(name))).as(name).isGreaterThan(5);
        }
        float[] cyrillic = embedder.embed(EDGE_TEXTS.get("Cyrillic"));
        float[] arabic = embedder.embed(EDGE_TEXTS.get("Arabic"));
        assertThat(maxAbsDifference(cyrillic, arabic)).isGreaterThan(1e-2);
    }

    @Test
    void countsPaddedTokensWithTheSubBatchPlan() {
        try (MiniLmEmbedder small =
                MiniLmEmbedder.create(
                        EmbedderOptions.builder()
                                .setDevice(Device.CPU)
                                .setMaxBatchRecords(2)
                                .setMaxBatchTokens(300)
                                .build())) {
            // ordered 3, 5 | 9, 200 would pad to 400 > 300 tokens, so 9 | 200
            assertThat(small.countPaddedTokens(new int[] {5, 200, 3, 9})).isEqualTo(2 * 5 + 9 + 200);
            assertThat(small.countPaddedTokens(new int[0])).isZero();
        }
        // default options: one sub-batch, padded to its longest text
        assertThat(embedder.countPaddedTokens(new int[] {5, 9, 3})).isEqualTo(3 * 9);
    }

    @Test
    void interfaceDefaultsAssumeOneCallAndAnUnknownDevice() {
        Embedder minimal =
                new Embedder() {
                    @Override
                    public float[][] embed(List<String> texts) {
                        return new float[texts.size()][384];
                    }

                    @Override
                    public String modelId() {
                        return "minimal";
                    }

                    @Override
                    public int dimension() {
                        return 384;
                    }

                    @Override
                    public int countTokens(String text) {
                        return 2;
                    }

                    @Override
                    public void close() {}
                };
        assertThat(minimal.countPaddedTokens(new int[] {5, 200, 3, 9})).isEqualTo(4 * 200);
        assertThat(minimal.deviceInUse()).isEqualTo("unknown");
        assertThat(embedder.deviceInUse()).isEqualTo("cpu");
    }
}
