package io.shelfstream.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtProvider;

import io.shelfstream.embedding.internal.OnnxModels;
import io.shelfstream.embedding.testutils.MiniLmReference;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Device selection on a build or host without CUDA (the default build). */
class MiniLmEmbedderDeviceTest {

    @BeforeAll
    static void requireCpuOnlyOnnxRuntime() {
        assumeFalse(
                OnnxModels.availableProviders().contains(OrtProvider.CUDA),
                "this ONNX Runtime has CUDA; these tests cover hosts without it");
    }

    @Test
    void explicitCudaFailsFastNamingTheGpuBuildAndLibraries() {
        for (String device : new String[] {"cuda", "cuda:1"}) {
            EmbedderOptions options = EmbedderOptions.builder().setDevice(device).build();
            assertThatThrownBy(() -> MiniLmEmbedder.create(options))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Embedding device " + Device.parse(device) + " was requested")
                    .hasMessageContaining("no CUDA execution provider")
                    .hasMessageContaining("-Pgpu")
                    .hasMessageContaining("CUDA and cuDNN libraries")
                    .hasMessageContaining("set the device to auto or cpu");
        }
    }

    @Test
    void autoFallsBackToTheCpu() {
        try (MiniLmEmbedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("auto").build())) {
            assertThat(embedder.deviceInUse()).isEqualTo("cpu");
            MiniLmReference.Entry reference = MiniLmReference.entries().get(0);
            assertThat(MiniLmReference.cosine(embedder.embed(reference.text()), reference.vector()))
                    .isGreaterThanOrEqualTo(0.9999);
        }
    }
}
