package io.shelfstream.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shelfstream.embedding.internal.ModelKey;
import io.shelfstream.embedding.internal.OnnxModel;
import io.shelfstream.embedding.internal.ReferenceCountedRegistry;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Embedders of the same model, device and thread count share one ONNX Runtime session. */
class MiniLmEmbedderSharingTest {

    private static final EmbedderOptions ONE_THREAD_CPU =
            EmbedderOptions.builder().setDevice(Device.CPU).setIntraOpThreads(1).build();

    private final ReferenceCountedRegistry<ModelKey, OnnxModel> registry = new ReferenceCountedRegistry<>();

    @Test
    void twoEmbeddersShareOneSessionUntilBothClose() {
        MiniLmEmbedder first = MiniLmEmbedder.create(ONE_THREAD_CPU, registry);
        MiniLmEmbedder second = MiniLmEmbedder.create(ONE_THREAD_CPU, registry);
        OnnxModel session = first.session();
        ModelKey key = new ModelKey("classpath:all-minilm-l6-v2.onnx", "cpu", 1);

        assertThat(second.session()).isSameAs(session);
        assertThat(registry.references(key)).isEqualTo(2);
        float[] before = second.embed("Number the Stars.");

        first.close();
        assertThat(registry.references(key)).isEqualTo(1);
        assertThat(session.isClosed()).isFalse();
        assertThat(second.embed(List.of("Number the Stars.")))
                .hasDimensions(1, 384)
                .satisfies(v -> assertThat(v[0]).containsExactly(before));
        assertThatThrownBy(() -> first.embed("closed"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Embedder all-minilm-l6-v2 is closed");

        second.close();
        second.close(); // idempotent
        assertThat(registry.references(key)).isZero();
        assertThat(session.isClosed()).isTrue();

        try (MiniLmEmbedder third = MiniLmEmbedder.create(ONE_THREAD_CPU, registry)) {
            assertThat(third.session()).isNotSameAs(session);
            assertThat(third.embed("Number the Stars.")).containsExactly(before);
        }
    }

    @Test
    void differentThreadCountsOrModelsGetTheirOwnSessions() {
        try (MiniLmEmbedder oneThread = MiniLmEmbedder.create(ONE_THREAD_CPU, registry);
                MiniLmEmbedder twoThreads =
                        MiniLmEmbedder.create(ONE_THREAD_CPU.toBuilder().setIntraOpThreads(2).build(), registry);
                MiniLmEmbedder quantized =
                        MiniLmEmbedder.create(ONE_THREAD_CPU.toBuilder().setQuantized(true).build(), registry)) {
            assertThat(twoThreads.session()).isNotSameAs(oneThread.session());
            assertThat(quantized.session()).isNotSameAs(oneThread.session());
        }
    }

    @Test
    void createsAndUsesTheSessionFromAThreadWithA1MibStack() throws Exception {
        // Flink task threads have default 1 MiB stacks; ONNX Runtime 1.29.0 was seen to crash
        // creating a session on such a thread, so creation must not happen on the caller's stack.
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread smallStack =
                new Thread(
                        null,
                        () -> {
                            try (MiniLmEmbedder embedder = MiniLmEmbedder.create(ONE_THREAD_CPU, registry)) {
                                outcome.set(embedder.embed(List.of("Frindle.", "The Giver.")));
                            } catch (Throwable t) {
                                outcome.set(t);
                            }
                        },
                        "small-stack-caller",
                        1024 * 1024);
        smallStack.start();
        smallStack.join(TimeUnit.MINUTES.toMillis(1));
        assertThat(outcome.get()).isInstanceOf(float[][].class);
        assertThat((float[][]) outcome.get()).hasDimensions(2, 384);
    }

    @Test
    void publicFactorySharesTheJvmWideSession() {
        try (MiniLmEmbedder first = MiniLmEmbedder.create(ONE_THREAD_CPU);
                MiniLmEmbedder second = MiniLmEmbedder.create(ONE_THREAD_CPU)) {
            assertThat(second.session()).isSameAs(first.session());
        }
    }
}
