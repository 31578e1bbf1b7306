package io.shelfstream.job.embed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;

/**
 * Embeds the text of keyed records in batches, as fast as the model allows, and skips texts that have not changed.
 *
 * <p>Behaviour, per subtask:
 * <ul>
 *   <li><b>Batching.</b> Records with text are gathered until the batch holds
 *       {@link EmbeddingBatchOptions#maxRecords()} texts or {@link EmbeddingBatchOptions#maxTokens()} tokens, or
 *       until {@link EmbeddingBatchOptions#linger()} has passed since the batch began (a processing-time timer);
 *       then the whole batch goes to {@link Embedder#embed(List)} in one call, which orders it by length and
 *       pads each sub-batch only to its own longest text.</li>
 *   <li><b>Nothing in flight at a checkpoint.</b> The batch is embedded and emitted in
 *       {@link #prepareSnapshotPreBarrier}, before the barrier travels on, and at the end of input. The batch is
 *       therefore never part of a checkpoint: after a failure, the records it held are replayed from the source.</li>
 *   <li><b>Unchanged texts are skipped.</b> Keyed state holds the {@link ContentHash} last emitted for each key;
 *       a record whose hash equals it produces no output. A record without text (see
 *       {@link EmbeddingAdapter#passThrough}) is emitted at once and clears that state.</li>
 *   <li><b>The later record of a key wins.</b> A record that arrives while its key has a text waiting in the
 *       batch replaces that text, which is then neither embedded nor emitted. Outputs of a key keep the input
 *       order.</li>
 *   <li><b>Event time.</b> Outputs keep their input's timestamp; a watermark that arrives while texts are waiting
 *       is held back until they are emitted, so no output is late because of the batching.</li>
 * </ul>
 *
 * <p>The {@link Embedder} is created in {@link #open()} from {@link EmbedderOptions} and closed in
 * {@link #close()}; with the default {@link EmbedderFactory#miniLm()} all slots of a TaskManager share one ONNX
 * Runtime session. Metrics are listed in {@link EmbeddingMetrics}. The input must be a {@code KeyedStream} keyed
 * by {@link EmbeddingAdapter#key}. Vectors leave the operator inside the adapter's output records; give those a
 * Flink-serialisable type (a POJO or record with a {@code float[]} field) so they never go through Kryo.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<PointWrite> points = books
 *         .keyBy(adapter.keySelector())
 *         .transform("Embed books", TypeInformation.of(PointWrite.class),
 *                 EmbeddingOperator.<Book, PointWrite>builder()
 *                         .setAdapter(adapter)
 *                         .setEmbedderOptions(EmbedderOptions.builder().setDevice("auto").build())
 *                         .build())
 *         .uid("embed-books");
 * }</pre>
 *
 * @param <IN>  input records
 * @param <OUT> output records
 */
public final class EmbeddingOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddingOperator.class);

    /** Name of the keyed state that holds the last emitted content hash per key. */
    public static final String CONTENT_HASH_STATE = "embedding-content-hash";

    private final EmbeddingAdapter<IN, OUT> adapter;
    private final EmbedderOptions embedderOptions;
    private final EmbeddingBatchOptions batchOptions;
    private final EmbedderFactory embedderFactory;

    private transient Embedder embedder;
    private transient String modelId;
    private transient ValueState<String> lastHash;
    private transient EmbeddingMetrics metrics;
    private transient PassThroughEmitter passThrough;

    /** Texts in arrival order, superseded ones included (they are skipped at flush). */
    private transient List<PendingText<IN>> batch;
    private transient Map<String, KeyInBatch<IN>> keysInBatch;
    private transient int batchTexts;
    private transient long batchTokens;
    /** Identifies the current batch, so that a linger timer of an earlier batch does nothing. */
    private transient long batchGeneration;
    private transient ScheduledFuture<?> lingerTimer;
    private transient Watermark heldWatermark;

    EmbeddingOperator(
            StreamOperatorParameters<OUT> parameters,
            EmbeddingAdapter<IN, OUT> adapter,
            EmbedderOptions embedderOptions,
            EmbeddingBatchOptions batchOptions,
            EmbedderFactory embedderFactory) {
        super(parameters);
        this.adapter = adapter;
        this.embedderOptions = embedderOptions;
        this.batchOptions = batchOptions;
        this.embedderFactory = embedderFactory;
    }

    /**
     * Starts a builder: the only way to create the operator.
     *
     * @param <IN>  input records
     * @param <OUT> output records
     * @return a new builder
     */
    public static <IN, OUT> Builder<IN, OUT> builder() {
        return new Builder<>();
    }

    @Override
    public void open() throws Exception {
        super.open();
        lastHash = getRuntimeContext().getState(new ValueStateDescriptor<>(CONTENT_HASH_STATE, Types.STRING));
        batch = new ArrayList<>();
        keysInBatch = new HashMap<>();
        passThrough = new PassThroughEmitter();
        embedder = embedderFactory.create(embedderOptions);
        modelId = embedder.modelId();
        metrics = new EmbeddingMetrics(getMetricGroup(), embedder.deviceInUse(), (Gauge<Integer>) () -> batchTexts);
        adapter.open(getMetricGroup());
        LOGGER.info("Embedding {} on {} in batches of up to {} texts / {} tokens, linger {} ms", modelId,
                embedder.deviceInUse(), batchOptions.maxRecords(), batchOptions.maxTokens(),
                batchOptions.linger().toMillis());
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        IN value = element.getValue();
        String key = streamKeyOf(value);
        String text = adapter.text(value);
        KeyInBatch<IN> inBatch = keysInBatch.get(key);
        if (inBatch != null) {
            supersedePendingText(inBatch);
        }
        if (text == null) {
            // Nothing of this key is waiting any more, so emitting now keeps the key's order.
            if (inBatch != null) {
                inBatch.hash = null;
            }
            lastHash.clear();
            passThrough.emit(value, element);
            return;
        }
        if (inBatch == null) {
            inBatch = new KeyInBatch<>(lastHash.value());
            keysInBatch.put(key, inBatch);
        }
        String hash = ContentHash.of(modelId, text, adapter.extraContent(value));
        if (hash.equals(inBatch.hash)) {
            metrics.skippedUnchanged.inc();
            return;
        }
        int tokens = embedder.countTokens(text);
        PendingText<IN> pending = new PendingText<>(key, value, element.hasTimestamp(),
                element.hasTimestamp() ? element.getTimestamp() : 0L, text, hash, tokens);
        batch.add(pending);
        inBatch.pending = pending;
        inBatch.hashBeforePending = inBatch.hash;
        inBatch.hash = hash;
        batchTexts++;
        batchTokens += tokens;
        if (batchTexts >= batchOptions.maxRecords() || batchTokens >= batchOptions.maxTokens()) {
            flush();
        } else if (lingerTimer == null) {
            long generation = batchGeneration;
            lingerTimer = getProcessingTimeService().registerTimer(
                    getProcessingTimeService().getCurrentProcessingTime() + batchOptions.linger().toMillis(),
                    time -> onLingerExpired(generation));
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (batchTexts > 0) {
            heldWatermark = mark;
        } else {
            super.processWatermark(mark);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (embedder != null) {
                embedder.close();
                embedder = null;
            }
        }
    }

    private String streamKeyOf(IN value) {
        String key = adapter.key(value);
        Object streamKey = getCurrentKey();
        if (!Objects.equals(key, streamKey)) {
            throw new IllegalStateException("EmbeddingOperator: the input is keyed by '" + streamKey
                    + "' but the adapter gives the record the key '" + key
                    + "'; key the stream with EmbeddingAdapter#keySelector()");
        }
        return key;
    }

    private void supersedePendingText(KeyInBatch<IN> inBatch) {
        if (inBatch.pending == null) {
            return;
        }
        inBatch.pending.superseded = true;
        batchTexts--;
        batchTokens -= inBatch.pending.tokens;
        inBatch.hash = inBatch.hashBeforePending;
        inBatch.pending = null;
        metrics.superseded.inc();
    }

    private void onLingerExpired(long generation) throws Exception {
        if (generation == batchGeneration) {
            lingerTimer = null;
            flush();
        }
    }

    /** Embeds and emits every waiting text, then releases a held watermark. */
    private void flush() throws Exception {
        if (lingerTimer != null) {
            lingerTimer.cancel(false);
            lingerTimer = null;
        }
        batchGeneration++;
        if (batchTexts > 0) {
            embedAndEmit();
        }
        batch.clear();
        keysInBatch.clear();
        batchTexts = 0;
        batchTokens = 0;
        if (heldWatermark != null) {
            Watermark mark = heldWatermark;
            heldWatermark = null;
            super.processWatermark(mark);
        }
    }

    private void embedAndEmit() throws Exception {
        List<PendingText<IN>> live = new ArrayList<>(batchTexts);
        List<String> texts = new ArrayList<>(batchTexts);
        int[] tokenCounts = new int[batchTexts];
        for (PendingText<IN> pending : batch) {
            if (!pending.superseded) {
                tokenCounts[live.size()] = pending.tokens;
                live.add(pending);
                texts.add(pending.text);
            }
        }
        long started = System.nanoTime();
        float[][] vectors = embedder.embed(texts);
        long latency = System.nanoTime() - started;
        for (int i = 0; i < live.size(); i++) {
            PendingText<IN> pending = live.get(i);
            setCurrentKey(pending.key);
            lastHash.update(pending.hash);
            OUT out = adapter.embedded(pending.value, vectors[i], pending.hash, modelId);
            output.collect(pending.hasTimestamp ? new StreamRecord<>(out, pending.timestamp) : new StreamRecord<>(out));
        }
        metrics.recordBatch(live.size(), batchTokens, embedder.countPaddedTokens(tokenCounts), latency);
        LOGGER.debug("Embedded {} texts ({} tokens) in {} ms", live.size(), batchTokens, latency / 1_000_000);
    }

    /** The metrics, for tests. */
    EmbeddingMetrics metrics() {
        return metrics;
    }

    /** A text waiting in the batch. */
    private static final class PendingText<IN> {
        final String key;
        final IN value;
        final boolean hasTimestamp;
        final long timestamp;
        final String text;
        final String hash;
        final int tokens;
        boolean superseded;

        PendingText(String key, IN value, boolean hasTimestamp, long timestamp, String text, String hash,
                int tokens) {
            this.key = key;
            this.value = value;
            this.hasTimestamp = hasTimestamp;
            this.timestamp = timestamp;
            this.text = text;
            this.hash = hash;
            this.tokens = tokens;
        }
    }

    /** What the batch knows about one key. */
    private static final class KeyInBatch<IN> {
        /** The hash the key will have once the batch is emitted; null when none. */
        String hash;
        /** The key's text waiting in the batch, or null. */
        PendingText<IN> pending;
        /** {@link #hash} as it was before {@link #pending} arrived, restored when a later record replaces it. */
        String hashBeforePending;

        KeyInBatch(String hash) {
            this.hash = hash;
        }
    }

    /** Emits a pass-through record's outputs with its timestamp. */
    private final class PassThroughEmitter implements EmbeddingAdapter.PassThroughContext<OUT> {

        private StreamRecord<IN> current;

        void emit(IN value, StreamRecord<IN> element) {
            current = element;
            try {
                adapter.passThrough(value, this);
            } finally {
                current = null;
            }
        }

        @Override
        public void collect(OUT out) {
            output.collect(current.hasTimestamp() ? new StreamRecord<>(out, current.getTimestamp())
                    : new StreamRecord<>(out));
        }

        @Override
        public <X> void output(OutputTag<X> tag, X out) {
            output.collect(tag, current.hasTimestamp() ? new StreamRecord<>(out, current.getTimestamp())
                    : new StreamRecord<>(out));
        }

        @Override
        public Long timestamp() {
            return current.hasTimestamp() ? current.getTimestamp() : null;
        }
    }

    /**
     * Builds the factory of an {@link EmbeddingOperator}, to pass to {@code KeyedStream#transform}.
     *
     * @param <IN>  input records
     * @param <OUT> output records
     */
    public static final class Builder<IN, OUT> {

        private EmbeddingAdapter<IN, OUT> adapter;
        private EmbedderOptions embedderOptions = EmbedderOptions.defaults();
        private EmbeddingBatchOptions batchOptions = EmbeddingBatchOptions.defaults();
        private EmbedderFactory embedderFactory = EmbedderFactory.miniLm();

        private Builder() {
        }

        /**
         * Sets what to embed and how to build outputs. Required.
         *
         * @param adapter the adapter
         * @return this builder
         */
        public Builder<IN, OUT> setAdapter(EmbeddingAdapter<IN, OUT> adapter) {
            this.adapter = Objects.requireNonNull(adapter, "adapter must not be null");
            return this;
        }

        /**
         * Sets the options of the embedder created when the operator opens. Default
         * {@link EmbedderOptions#defaults()} (device {@code auto}).
         *
         * @param embedderOptions the options
         * @return this builder
         */
        public Builder<IN, OUT> setEmbedderOptions(EmbedderOptions embedderOptions) {
            this.embedderOptions = Objects.requireNonNull(embedderOptions,
                    "embedderOptions must not be null: use EmbedderOptions.defaults()");
            return this;
        }

        /**
         * Sets the batch budget and linger. Default {@link EmbeddingBatchOptions#defaults()}.
         *
         * @param batchOptions the options
         * @return this builder
         */
        public Builder<IN, OUT> setBatchOptions(EmbeddingBatchOptions batchOptions) {
            this.batchOptions = Objects.requireNonNull(batchOptions,
                    "batchOptions must not be null: use EmbeddingBatchOptions.defaults()");
            return this;
        }

        /**
         * Sets how the embedder is created. Default {@link EmbedderFactory#miniLm()}; tests pass fakes.
         *
         * @param embedderFactory the factory
         * @return this builder
         */
        public Builder<IN, OUT> setEmbedderFactory(EmbedderFactory embedderFactory) {
            this.embedderFactory = Objects.requireNonNull(embedderFactory, "embedderFactory must not be null");
            return this;
        }

        /**
         * Builds the operator factory.
         *
         * @return the factory
         * @throws IllegalStateException if no adapter was set
         */
        public EmbeddingOperatorFactory<IN, OUT> build() {
            if (adapter == null) {
                throw new IllegalStateException(
                        "No adapter: call setAdapter with the EmbeddingAdapter that names the text of a record");
            }
            return new EmbeddingOperatorFactory<>(adapter, embedderOptions, batchOptions, embedderFactory);
        }
    }
}
