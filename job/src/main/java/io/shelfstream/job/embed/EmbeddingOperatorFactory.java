package io.shelfstream.job.embed;

import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

import io.shelfstream.embedding.EmbedderOptions;

/**
 * Creates {@link EmbeddingOperator}s in the task managers; obtained from {@link EmbeddingOperator#builder()} and
 * passed to {@code KeyedStream#transform}. Chains with its neighbours (chaining strategy {@code ALWAYS}).
 *
 * @param <IN>  input records
 * @param <OUT> output records
 */
public final class EmbeddingOperatorFactory<IN, OUT> extends AbstractStreamOperatorFactory<OUT>
        implements OneInputStreamOperatorFactory<IN, OUT> {

    private static final long serialVersionUID = 1L;

    private final EmbeddingAdapter<IN, OUT> adapter;
    private final EmbedderOptions embedderOptions;
    private final EmbeddingBatchOptions batchOptions;
    private final EmbedderFactory embedderFactory;

    EmbeddingOperatorFactory(
            EmbeddingAdapter<IN, OUT> adapter,
            EmbedderOptions embedderOptions,
            EmbeddingBatchOptions batchOptions,
            EmbedderFactory embedderFactory) {
        this.adapter = adapter;
        this.embedderOptions = embedderOptions;
        this.batchOptions = batchOptions;
        this.embedderFactory = embedderFactory;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<OUT>> T createStreamOperator(StreamOperatorParameters<OUT> parameters) {
        return (T) new EmbeddingOperator<>(parameters, adapter, embedderOptions, batchOptions, embedderFactory);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return EmbeddingOperator.class;
    }

    /**
     * Returns the batch options the operators are created with.
     *
     * @return the batch options
     */
    public EmbeddingBatchOptions batchOptions() {
        return batchOptions;
    }

    /**
     * Returns the embedder options the operators are created with.
     *
     * @return the embedder options
     */
    public EmbedderOptions embedderOptions() {
        return embedderOptions;
    }
}
