package io.shelfstream.embedding;

import static io.shelfstream.embedding.testutils.MiniLmReference.cosine;
import static io.shelfstream.embedding.testutils.MiniLmReference.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;

import io.shelfstream.embedding.internal.ModelSource;
import io.shelfstream.embedding.testutils.MiniLmReference;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled int8 model, and loading a model from files. */
class QuantizedMiniLmEmbedderTest {

    private static final EmbedderOptions INT8_CPU =
            EmbedderOptions.builder().setDevice(Device.CPU).setQuantized(true).build();

    @Test
    void int8VectorsStayCloseToTheFp32Reference() {
        try (MiniLmEmbedder embedder = MiniLmEmbedder.create(INT8_CPU)) {
            assertThat(embedder.modelId()).isEqualTo("all-minilm-l6-v2-q");
            assertThat(embedder.dimension()).isEqualTo(384);
            List<MiniLmReference.Entry> reference = MiniLmReference.entries();
            float[][] vectors = embedder.embed(MiniLmReference.texts());
            for (int i = 0; i < reference.size(); i++) {
                assertThat(cosine(vectors[i], reference.get(i).vector()))
                        .as("cosine to the fp32 reference of text %d: %s", i, reference.get(i).text())
                        .isGreaterThan(0.95);
                assertThat(embedder.countTokens(reference.get(i).text())).isEqualTo(reference.get(i).tokens());
            }
        }
    }

    @Test
    void loadsAModelFromFilesInsteadOfTheBundledOne(@TempDir Path dir) throws Exception {
        Path model = copyResource(ModelSource.INT8_MODEL_RESOURCE, dir.resolve("minilm-int8.onnx"));
        Path tokenizer = copyResource(ModelSource.INT8_TOKENIZER_RESOURCE, dir.resolve("tokenizer.json"));
        EmbedderOptions fromFiles =
                EmbedderOptions.builder()
                        .setDevice(Device.CPU)
                        .setModelPath(model)
                        .setTokenizerPath(tokenizer)
                        .build();
        List<String> texts = MiniLmReference.texts().subList(3, 6);
        try (MiniLmEmbedder files = MiniLmEmbedder.create(fromFiles);
                MiniLmEmbedder bundled = MiniLmEmbedder.create(INT8_CPU)) {
            assertThat(files.modelId()).isEqualTo("minilm-int8");
            assertThat(files.session()).isNotSameAs(bundled.session());
            float[][] expected = bundled.embed(texts);
            float[][] actual = files.embed(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(maxAbsDifference(actual[i], expected[i])).isLessThanOrEqualTo(1e-6);
            }
        }
    }

    private static Path copyResource(String resource, Path target) throws Exception {
        try (InputStream in = QuantizedMiniLmEmbedderTest.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
        return target;
    }
}
