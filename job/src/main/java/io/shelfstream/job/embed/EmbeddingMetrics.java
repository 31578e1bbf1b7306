package io.shelfstream.job.embed;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The metrics of an {@link EmbeddingOperator}, in the subgroup {@value #GROUP} of the operator's metric group.
 *
 * <ul>
 *   <li>{@code batchSize}, {@code batchTokens}: texts and tokens (before padding) per model call (histograms)
 *   <li>{@code inferenceLatencyMs}: wall time of each {@code Embedder.embed} call (histogram)
 *   <li>{@code docs}, {@code docsPerSecond}, {@code tokensPerSecond}: texts embedded (counter, meters)
 *   <li>{@code paddingEfficiency}: real tokens / padded tokens of the last batch (gauge, 0..1)
 *   <li>{@code skippedUnchanged}: texts not embedded because their content hash was unchanged (counter)
 *   <li>{@code superseded}: texts dropped from a batch because a later record of their key arrived (counter)
 *   <li>{@code pendingRecords}: texts waiting in the current batch (gauge)
 *   <li>{@code device}: where the model runs, e.g. {@code cpu} or {@code cuda:0} (gauge)
 * </ul>
 */
final class EmbeddingMetrics {

    static final String GROUP = "embedding";

    private static final int HISTOGRAM_WINDOW = 512;

    final Histogram batchSize = new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW);
    final Histogram batchTokens = new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW);
    final Histogram inferenceLatencyMs = new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW);
    final Counter docs;
    final Counter tokens;
    final Meter docsPerSecond;
    final Meter tokensPerSecond;
    final Counter skippedUnchanged;
    final Counter superseded;
    private final String device;
    private volatile double paddingEfficiency = Double.NaN;

    EmbeddingMetrics(MetricGroup operatorGroup, String device, Gauge<Integer> pendingRecords) {
        this.device = device;
        MetricGroup group = operatorGroup.addGroup(GROUP);
        group.histogram("batchSize", batchSize);
        group.histogram("batchTokens", batchTokens);
        group.histogram("inferenceLatencyMs", inferenceLatencyMs);
        docs = group.counter("docs");
        tokens = group.counter("tokens");
        docsPerSecond = group.meter("docsPerSecond", new MeterView(docs));
        tokensPerSecond = group.meter("tokensPerSecond", new MeterView(tokens));
        skippedUnchanged = group.counter("skippedUnchanged");
        superseded = group.counter("superseded");
        group.gauge("paddingEfficiency", (Gauge<Double>) () -> paddingEfficiency);
        group.gauge("pendingRecords", pendingRecords);
        group.gauge("device", (Gauge<String>) this::device);
    }

    void recordBatch(int texts, long realTokens, long paddedTokens, long latencyNanos) {
        batchSize.update(texts);
        batchTokens.update(realTokens);
        inferenceLatencyMs.update(latencyNanos / 1_000_000);
        docs.inc(texts);
        tokens.inc(realTokens);
        paddingEfficiency = paddedTokens == 0 ? 1.0 : (double) realTokens / paddedTokens;
    }

    double paddingEfficiency() {
        return paddingEfficiency;
    }

    String device() {
        return device;
    }
}
