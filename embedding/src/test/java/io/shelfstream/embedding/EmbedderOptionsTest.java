package io.shelfstream.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;

class EmbedderOptionsTest {

    @Test
    void defaultsMatchTheNamedConstants() {
        EmbedderOptions options = EmbedderOptions.defaults();
        assertThat(options.device()).isEqualTo(EmbedderOptions.DEFAULT_DEVICE).isEqualTo(Device.AUTO);
        assertThat(options.isQuantized()).isFalse();
        assertThat(options.modelPath()).isEmpty();
        assertThat(options.tokenizerPath()).isEmpty();
        assertThat(options.modelId()).isEqualTo("all-minilm-l6-v2");
        assertThat(options.intraOpThreads()).isEqualTo(EmbedderOptions.AUTO_INTRA_OP_THREADS);
        assertThat(options.maxSequenceTokens()).isEqualTo(256);
        assertThat(options.maxBatchRecords()).isEqualTo(EmbedderOptions.DEFAULT_MAX_BATCH_RECORDS);
        assertThat(options.maxBatchTokens()).isEqualTo(EmbedderOptions.DEFAULT_MAX_BATCH_TOKENS);
        assertThat(EmbedderOptions.builder().build()).isEqualTo(options);
    }

    @Test
    void buildsEverySetting() {
        EmbedderOptions options =
                EmbedderOptions.builder()
                        .setDevice("cuda:1")
                        .setQuantized(true)
                        .setIntraOpThreads(3)
                        .setMaxSequenceTokens(128)
                        .setMaxBatchRecords(8)
                        .setMaxBatchTokens(1024)
                        .build();
        assertThat(options.device()).isEqualTo(Device.cuda(1));
        assertThat(options.isQuantized()).isTrue();
        assertThat(options.modelId()).isEqualTo("all-minilm-l6-v2-q");
        assertThat(options.intraOpThreads()).isEqualTo(3);
        assertThat(options.maxSequenceTokens()).isEqualTo(128);
        assertThat(options.maxBatchRecords()).isEqualTo(8);
        assertThat(options.maxBatchTokens()).isEqualTo(1024);
        assertThat(options.toBuilder().build()).isEqualTo(options).hasSameHashCodeAs(options);
        assertThat(options.toString()).contains("device=cuda:1", "modelId=all-minilm-l6-v2-q");
    }

    @Test
    void derivesModelIdFromModelFileUnlessSet() {
        EmbedderOptions fromFile =
                EmbedderOptions.builder()
                        .setModelPath(Paths.get("/models/my-minilm.onnx"))
                        .setTokenizerPath(Paths.get("/models/tokenizer.json"))
                        .build();
        assertThat(fromFile.modelId()).isEqualTo("my-minilm");
        assertThat(fromFile.modelPath()).contains(Paths.get("/models/my-minilm.onnx"));
        assertThat(fromFile.toBuilder().setModelId("minilm-v7").build().modelId()).isEqualTo("minilm-v7");
    }

    @Test
    void rejectsBadValuesOnEntryWithAFix() {
        EmbedderOptions.Builder builder = EmbedderOptions.builder();
        assertThatThrownBy(() -> builder.setDevice("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use auto, cpu, cuda or cuda:N");
        assertThatThrownBy(() -> builder.setDevice((Device) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("use Device.AUTO, Device.CPU or Device.cuda(index)");
        assertThatThrownBy(() -> builder.setIntraOpThreads(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("intraOpThreads must be >= 0 (0 = one per available processor), was -1");
        assertThatThrownBy(() -> builder.setMaxSequenceTokens(513))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 2 and 512")
                .hasMessageContaining("was 513");
        assertThatThrownBy(() -> builder.setMaxSequenceTokens(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 2 and 512");
        assertThatThrownBy(() -> builder.setMaxBatchRecords(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatchRecords must be >= 1 (texts per model call), was 0");
        assertThatThrownBy(() -> builder.setMaxBatchTokens(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatchTokens must be >= 1 (padded tokens per model call), was 0");
        assertThatThrownBy(() -> builder.setModelPath(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("leave it unset to use the bundled model");
        assertThatThrownBy(() -> builder.setModelId("my model"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use letters, digits, '.', '_' and '-'");
        // a rejected value leaves the builder as it was
        assertThat(builder.build()).isEqualTo(EmbedderOptions.defaults());
    }

    @Test
    void rejectsContradictingSettingsOnBuildWithAFix() {
        Path model = Paths.get("/models/model.onnx");
        Path tokenizer = Paths.get("/models/tokenizer.json");
        assertThatThrownBy(() -> EmbedderOptions.builder().setModelPath(model).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("also call setTokenizerPath");
        assertThatThrownBy(() -> EmbedderOptions.builder().setTokenizerPath(tokenizer).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("also call setModelPath");
        assertThatThrownBy(
                        () ->
                                EmbedderOptions.builder()
                                        .setQuantized(true)
                                        .setModelPath(model)
                                        .setTokenizerPath(tokenizer)
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be combined with modelPath");
        assertThatThrownBy(() -> EmbedderOptions.builder().setMaxBatchTokens(100).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("raise maxBatchTokens to at least 256 or lower maxSequenceTokens");
        assertThat(EmbedderOptions.builder().setMaxBatchTokens(100).setMaxSequenceTokens(100).build().maxBatchTokens())
                .isEqualTo(100);
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        EmbedderOptions options =
                EmbedderOptions.builder()
                        .setDevice("cpu")
                        .setModelPath(Paths.get("/models/model.onnx"))
                        .setTokenizerPath(Paths.get("/models/tokenizer.json"))
                        .setMaxBatchRecords(4)
                        .build();
        Object copy = DeviceTest.roundTrip(options);
        assertThat(copy).isEqualTo(options);
        assertThat(((EmbedderOptions) copy).device()).isSameAs(Device.CPU);
    }
}
