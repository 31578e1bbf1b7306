package io.shelfstream.job.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.shelfstream.job.embed.testutils.Doc;
import io.shelfstream.job.embed.testutils.DocAdapter;
import io.shelfstream.job.embed.testutils.EmbeddedDoc;
import io.shelfstream.job.embed.testutils.FakeEmbedder;

/** The batching, flushing, skipping and ordering of {@link EmbeddingOperator}, with a fake embedder. */
class EmbeddingOperatorTest {

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final long LINGER_MS = 100;

    private final String embedderName = "embedder-" + RUNS.incrementAndGet();
    private final List<KeyedOneInputStreamOperatorTestHarness<String, Doc, EmbeddedDoc>> harnesses = new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var harness : harnesses) {
            harness.close();
        }
    }

    @Test
    void lingerTimeFlushesAPartialBatch() throws Exception {
        var harness = open(batch(10, 10_000));
        harness.setProcessingTime(1_000);
        harness.processElement(new Doc("a", "one"), 1L);
        harness.setProcessingTime(1_050);
        harness.processElement(new Doc("b", "two"), 2L);
        harness.processElement(new Doc("c", "three"), 3L);
        harness.setProcessingTime(1_000 + LINGER_MS - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(1_000 + LINGER_MS);
        assertThat(summaries(harness)).containsExactly("a=one", "b=two", "c=three");
        assertThat(FakeEmbedder.calls(embedderName)).containsExactly(List.of("one", "two", "three"));
        assertThat(harness.extractOutputStreamRecords()).extracting(StreamRecord::getTimestamp)
                .containsExactly(1L, 2L, 3L);

        // the next batch waits its own linger, counted from its first text
        harness.processElement(new Doc("d", "four"), 4L);
        harness.setProcessingTime(1_000 + 2 * LINGER_MS - 1);
        assertThat(harness.extractOutputValues()).hasSize(3);
        harness.setProcessingTime(1_000 + LINGER_MS + LINGER_MS);
        assertThat(summaries(harness)).endsWith("d=four");
        assertThat(FakeEmbedder.calls(embedderName)).hasSize(2);
    }

    @Test
    void recordBudgetFlushesWithoutWaitingForTheLinger() throws Exception {
        var harness = open(batch(3, 10_000));
        for (int i = 1; i <= 7; i++) {
            harness.processElement(new Doc("k" + i, "text " + i), i);
            assertThat(harness.extractOutputValues()).hasSize(i / 3 * 3);
        }
        assertThat(FakeEmbedder.calls(embedderName)).extracting(List::size).containsExactly(3, 3);
        assertThat(harness.getProcessingTime()).isZero();

        harness.endInput();
        assertThat(summaries(harness)).containsExactly(
                "k1=text 1", "k2=text 2", "k3=text 3", "k4=text 4", "k5=text 5", "k6=text 6", "k7=text 7");
        assertThat(FakeEmbedder.calls(embedderName)).extracting(List::size).containsExactly(3, 3, 1);
    }

    @Test
    void tokenBudgetFlushesWithoutWaitingForTheLinger() throws Exception {
        // the fake counts one token per word plus two: 5 + 2 tokens each
        var harness = open(batch(100, 20));
        harness.processElement(new Doc("a", "w w w w w"), 1L);
        harness.processElement(new Doc("b", "w w w w w"), 2L);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(new Doc("c", "w w w w w"), 3L);
        assertThat(harness.extractOutputValues()).hasSize(3);
        // a single text over the budget forms a batch of its own
        harness.processElement(new Doc("d", "w ".repeat(40)), 4L);
        assertThat(harness.extractOutputValues()).hasSize(4);
        assertThat(FakeEmbedder.calls(embedderName)).extracting(List::size).containsExactly(3, 1);
    }

    @Test
    void checkpointFlushesTheBatchBeforeTheBarrierAndRestoresWithNothingLostOrDuplicated() throws Exception {
        List<EmbeddedDoc> delivered = new ArrayList<>();
        OperatorSubtaskState checkpoint;
        var harness = open(batch(100, 10_000));
        harness.processElement(new Doc("a", "alpha"), 1L);
        harness.processElement(new Doc("b", "beta"), 2L);
        harness.processElement(new Doc("c", "gamma"), 3L);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.prepareSnapshotPreBarrier(1L);
        assertThat(summaries(harness)).containsExactly("a=alpha", "b=beta", "c=gamma");
        checkpoint = harness.snapshot(1L, 10L);
        delivered.addAll(harness.extractOutputValues());

        // after the checkpoint: d waits in the batch when the task fails
        harness.processElement(new Doc("d", "delta"), 4L);
        assertThat(harness.extractOutputValues()).hasSize(3);

        var restored = track(harness(factory(batch(100, 10_000))));
        restored.initializeState(checkpoint);
        restored.open();
        // the source replays what followed the checkpoint
        restored.processElement(new Doc("d", "delta"), 4L);
        restored.endInput();
        delivered.addAll(restored.extractOutputValues());
        assertThat(delivered).extracting(EmbeddedDoc::summary)
                .containsExactly("a=alpha", "b=beta", "c=gamma", "d=delta");
    }

    @Test
    void unchangedTextIsSkippedAcrossARestore() throws Exception {
        OperatorSubtaskState checkpoint;
        var harness = open(batch(100, 10_000));
        harness.processElement(new Doc("a", "alpha"), 1L);
        harness.processElement(new Doc("b", "beta"), 2L);
        harness.prepareSnapshotPreBarrier(1L);
        checkpoint = harness.snapshot(1L, 10L);
        var restored = track(harness(factory(batch(100, 10_000))));
        restored.initializeState(checkpoint);
        restored.open();
        restored.processElement(new Doc("a", "alpha"), 3L);
        restored.processElement(new Doc("b", "beta, revised"), 4L);
        restored.processElement(new Doc("c", "alpha"), 5L);
        restored.endInput();

        assertThat(summaries(restored)).containsExactly("b=beta, revised", "c=alpha");
        assertThat(metrics(restored).skippedUnchanged.getCount()).isEqualTo(1);
        assertThat(FakeEmbedder.calls(embedderName)).last().isEqualTo(List.of("beta, revised", "alpha"));
    }

    @Test
    void laterRecordOfAKeyInTheSameBatchWinsAndKeysKeepTheirOrder() throws Exception {
        var harness = open(batch(100, 10_000));
        harness.processElement(new Doc("a", "a first"), 1L);
        harness.processElement(new Doc("b", "b only"), 2L);
        harness.processElement(new Doc("a", "a second"), 3L);
        harness.processElement(new Doc("c", "c only"), 4L);
        harness.processElement(new Doc("a", "a third"), 5L);
        harness.endInput();

        assertThat(summaries(harness)).containsExactly("b=b only", "c=c only", "a=a third");
        assertThat(harness.extractOutputStreamRecords()).extracting(StreamRecord::getTimestamp)
                .containsExactly(2L, 4L, 5L);
        assertThat(FakeEmbedder.calls(embedderName)).containsExactly(List.of("b only", "c only", "a third"));
        assertThat(metrics(harness).superseded.getCount()).isEqualTo(2);
    }

    @Test
    void aChangeRevertedWithinOneBatchIsNotEmbedded() throws Exception {
        var harness = open(batch(100, 10_000));
        harness.processElement(new Doc("a", "original"), 1L);
        harness.prepareSnapshotPreBarrier(1L);
        harness.processElement(new Doc("a", "edited"), 2L);
        harness.processElement(new Doc("a", "original"), 3L);
        harness.endInput();

        assertThat(summaries(harness)).containsExactly("a=original");
        assertThat(FakeEmbedder.calls(embedderName)).containsExactly(List.of("original"));
    }

    @Test
    void recordWithoutTextPassesThroughAtOnceReplacesTheWaitingTextAndClearsTheHash() throws Exception {
        var harness = open(batch(100, 10_000));
        harness.processElement(new Doc("a", "alpha"), 1L);
        harness.processElement(new Doc("b", "beta"), 2L);
        harness.prepareSnapshotPreBarrier(1L);

        harness.processElement(new Doc("a", "alpha, revised"), 3L);
        harness.processElement(Doc.removal("a"), 4L);
        harness.processElement(Doc.removal("b"), 5L);
        // emitted without waiting for the batch; a's waiting text is dropped
        assertThat(summaries(harness)).containsExactly("a=alpha", "b=beta", "a removed", "b removed");

        // re-added with the text it had before its removal: embedded again, since the removal deleted it
        harness.processElement(new Doc("b", "beta"), 6L);
        harness.endInput();
        assertThat(summaries(harness)).containsExactly("a=alpha", "b=beta", "a removed", "b removed", "b=beta");
    }

    @Test
    void watermarkWaitsForTheTextsBeforeIt() throws Exception {
        var harness = open(batch(100, 10_000));
        harness.processWatermark(new Watermark(5L));
        harness.processElement(new Doc("a", "alpha"), 10L);
        harness.processWatermark(new Watermark(20L));
        harness.processWatermark(new Watermark(30L));
        assertThat(harness.getOutput()).containsExactly(new Watermark(5L));

        harness.setProcessingTime(LINGER_MS);
        assertThat(new ArrayList<>(harness.getOutput())).hasSize(3).last().isEqualTo(new Watermark(30L));
        assertThat(harness.getOutput()).element(1).isInstanceOf(StreamRecord.class);
    }

    @Test
    void reportsBatchMetricsAndTheDevice() throws Exception {
        var harness = open(batch(100, 10_000));
        harness.processElement(new Doc("a", "w"), 1L); // 3 tokens
        harness.processElement(new Doc("b", "w w w w w w w"), 2L); // 9 tokens
        harness.processElement(new Doc("a", "w"), 3L); // replaces the waiting a, which was never emitted
        harness.prepareSnapshotPreBarrier(1L);
        harness.processElement(new Doc("a", "w"), 4L); // unchanged

        EmbeddingMetrics metrics = metrics(harness);
        assertThat(metrics.batchSize.getCount()).isEqualTo(1);
        assertThat(metrics.batchSize.getStatistics().getMax()).isEqualTo(2);
        assertThat(metrics.batchTokens.getStatistics().getMax()).isEqualTo(12);
        assertThat(metrics.inferenceLatencyMs.getCount()).isEqualTo(1);
        assertThat(metrics.docs.getCount()).isEqualTo(2);
        assertThat(metrics.tokens.getCount()).isEqualTo(12);
        // one call padded to the longest text: 12 real of 2 x 9 padded tokens
        assertThat(metrics.paddingEfficiency()).isEqualTo(12.0 / 18.0);
        assertThat(metrics.superseded.getCount()).isEqualTo(1);
        assertThat(metrics.skippedUnchanged.getCount()).isEqualTo(1);
        assertThat(metrics.device()).isEqualTo("fake");
    }

    @Test
    void streamKeyedByAnythingButTheAdapterKeyIsRejected() throws Exception {
        KeySelector<Doc, String> byText = Doc::text;
        var harness = track(new KeyedOneInputStreamOperatorTestHarness<>(factory(batch(100, 10_000)), byText,
                Types.STRING));
        harness.open();
        assertThatThrownBy(() -> harness.processElement(new Doc("a", "alpha"), 1L))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("keyed by 'alpha'")
                .hasMessageContaining("EmbeddingAdapter#keySelector()");
    }

    @Test
    void builderRequiresAnAdapter() {
        assertThatThrownBy(() -> EmbeddingOperator.<Doc, EmbeddedDoc>builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("setAdapter");
        assertThatThrownBy(() -> EmbeddingBatchOptions.builder().setLinger(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 ms");
    }

    private static EmbeddingBatchOptions batch(int maxRecords, int maxTokens) {
        return EmbeddingBatchOptions.builder()
                .setMaxRecords(maxRecords)
                .setMaxTokens(maxTokens)
                .setLinger(Duration.ofMillis(LINGER_MS))
                .build();
    }

    private EmbeddingOperatorFactory<Doc, EmbeddedDoc> factory(EmbeddingBatchOptions batchOptions) {
        return EmbeddingOperator.<Doc, EmbeddedDoc>builder()
                .setAdapter(new DocAdapter())
                .setBatchOptions(batchOptions)
                .setEmbedderFactory(FakeEmbedder.factory(embedderName))
                .build();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Doc, EmbeddedDoc> harness(
            EmbeddingOperatorFactory<Doc, EmbeddedDoc> factory) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(factory, new DocAdapter().keySelector(), Types.STRING);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Doc, EmbeddedDoc> open(EmbeddingBatchOptions options)
            throws Exception {
        var harness = track(harness(factory(options)));
        harness.open();
        return harness;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Doc, EmbeddedDoc> track(
            KeyedOneInputStreamOperatorTestHarness<String, Doc, EmbeddedDoc> harness) {
        harnesses.add(harness);
        return harness;
    }

    private static List<String> summaries(KeyedOneInputStreamOperatorTestHarness<String, Doc, EmbeddedDoc> harness) {
        return harness.extractOutputValues().stream().map(EmbeddedDoc::summary).toList();
    }

    private static EmbeddingMetrics metrics(KeyedOneInputStreamOperatorTestHarness<String, Doc, EmbeddedDoc> h) {
        return ((EmbeddingOperator<?, ?>) h.getOneInputOperator()).metrics();
    }
}
