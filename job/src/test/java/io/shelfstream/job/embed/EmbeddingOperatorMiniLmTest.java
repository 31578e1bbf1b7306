package io.shelfstream.job.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.embed.testutils.Doc;
import io.shelfstream.job.embed.testutils.DocAdapter;
import io.shelfstream.job.embed.testutils.EmbeddedDoc;

/** {@link EmbeddingOperator} with the real model: batched vectors are the ones the Embedder gives each text. */
class EmbeddingOperatorMiniLmTest {

    private static final EmbedderOptions CPU = EmbedderOptions.builder().setDevice("cpu").build();

    @Test
    void batchedVectorsEqualTheEmbeddersVectorOfEachText() throws Exception {
        List<String> texts = List.of(
                "Hatchet. A boy survives alone in the Canadian wilderness after a plane crash.",
                "",
                "Frindle.",
                "The quick brown fox jumps over the lazy dog. ".repeat(40),
                "図書館で竜の本を借りました。",
                "Coraline. A girl discovers a door to an alternate world with a sinister Other Mother.",
                "🐉📚");
        EmbeddingOperatorFactory<Doc, EmbeddedDoc> factory = EmbeddingOperator.<Doc, EmbeddedDoc>builder()
                .setAdapter(new DocAdapter())
                .setEmbedderOptions(CPU)
                .setBatchOptions(EmbeddingBatchOptions.builder()
                        .setMaxRecords(4)
                        .setLinger(Duration.ofSeconds(10))
                        .build())
                .build();
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(factory, new DocAdapter().keySelector(),
                Types.STRING);
        List<EmbeddedDoc> outputs;
        EmbeddingMetrics metrics;
        try {
            harness.open();
            for (int i = 0; i < texts.size(); i++) {
                harness.processElement(new Doc("doc-" + i, texts.get(i)), i);
            }
            harness.endInput();
            outputs = harness.extractOutputValues();
            metrics = ((EmbeddingOperator<?, ?>) harness.getOneInputOperator()).metrics();
        } finally {
            harness.close();
        }

        assertThat(outputs).extracting(EmbeddedDoc::id)
                .containsExactly("doc-0", "doc-1", "doc-2", "doc-3", "doc-4", "doc-5", "doc-6");
        try (MiniLmEmbedder embedder = MiniLmEmbedder.create(CPU)) {
            for (EmbeddedDoc output : outputs) {
                float[] alone = embedder.embed(output.text());
                assertThat(output.vector()).hasSize(384);
                for (int d = 0; d < 384; d++) {
                    assertThat(Math.abs(output.vector()[d] - alone[d])).as("%s[%d]", output.id(), d)
                            .isLessThanOrEqualTo(1e-5f);
                }
                assertThat(output.modelId()).isEqualTo("all-minilm-l6-v2");
                assertThat(output.contentHash()).isEqualTo(ContentHash.of("all-minilm-l6-v2", output.text(), ""));
            }
        }
        assertThat(metrics.batchSize.getCount()).isEqualTo(2);
        assertThat(metrics.docs.getCount()).isEqualTo(7);
        assertThat(metrics.paddingEfficiency()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        assertThat(metrics.device()).isEqualTo("cpu");
    }
}
