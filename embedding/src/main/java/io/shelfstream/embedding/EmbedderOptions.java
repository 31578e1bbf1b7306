package io.shelfstream.embedding;

import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Immutable settings of a {@link MiniLmEmbedder}, built with {@link #builder()}.
 *
 * <p>Defaults (see the {@code DEFAULT_*} constants): device {@code auto}, the bundled fp32
 * all-MiniLM-L6-v2 model, one intra-op thread per available processor, at most 256 tokens per
 * text (the sentence-transformers setting), sub-batches of at most 32 texts and 8192 padded
 * tokens.
 *
 * <p>Every setter validates its argument at once and says how to fix a bad value;
 * {@link Builder#build()} rejects combinations that contradict each other. Paths are checked for
 * existence only when an embedder is created, because options are often built on a machine
 * other than the one that runs the model. Instances are {@link Serializable} so that a Flink
 * operator can carry them.
 *
 * <pre>{@code
 * EmbedderOptions options = EmbedderOptions.builder()
 *         .setDevice("cuda:0")
 *         .setQuantized(false)
 *         .setMaxBatchRecords(64)
 *         .build();
 * }</pre>
 */
public final class EmbedderOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Default device: CUDA GPU 0 when available, otherwise the CPU. */
    public static final Device DEFAULT_DEVICE = Device.AUTO;

    /** By default the fp32 model is used, not the int8 one. */
    public static final boolean DEFAULT_QUANTIZED = false;

    /** Intra-op thread count meaning "one per processor available to the JVM running the model". */
    public static final int AUTO_INTRA_OP_THREADS = 0;

    /** Default intra-op thread count: {@link #AUTO_INTRA_OP_THREADS}. */
    public static final int DEFAULT_INTRA_OP_THREADS = AUTO_INTRA_OP_THREADS;

    /** Default maximum tokens per text, special tokens included (sentence-transformers: 256). */
    public static final int DEFAULT_MAX_SEQUENCE_TOKENS = 256;

    /** Largest allowed maximum sequence length: the model has 512 position embeddings. */
    public static final int MAX_SEQUENCE_TOKENS_LIMIT = 512;

    /** Smallest allowed maximum sequence length: room for [CLS] and [SEP]. */
    public static final int MIN_SEQUENCE_TOKENS = 2;

    /** Default maximum number of texts in one model call. */
    public static final int DEFAULT_MAX_BATCH_RECORDS = 32;

    /** Default maximum of padded tokens (longest text times texts) in one model call. */
    public static final int DEFAULT_MAX_BATCH_TOKENS = 8192;

    /** Model id of the bundled fp32 model. */
    public static final String BUNDLED_MODEL_ID = "all-minilm-l6-v2";

    /** Model id of the bundled int8 model. */
    public static final String BUNDLED_QUANTIZED_MODEL_ID = "all-minilm-l6-v2-q";

    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final EmbedderOptions DEFAULTS = new Builder().build();

    private final Device device;
    private final boolean quantized;
    // Paths are kept as strings: java.nio.file.Path is not Serializable.
    private final String modelPath;
    private final String tokenizerPath;
    private final String modelId;
    private final int intraOpThreads;
    private final int maxSequenceTokens;
    private final int maxBatchRecords;
    private final int maxBatchTokens;

    private EmbedderOptions(Builder builder) {
        this.device = builder.device;
        this.quantized = builder.quantized;
        this.modelPath = builder.modelPath;
        this.tokenizerPath = builder.tokenizerPath;
        this.modelId = builder.modelId;
        this.intraOpThreads = builder.intraOpThreads;
        this.maxSequenceTokens = builder.maxSequenceTokens;
        this.maxBatchRecords = builder.maxBatchRecords;
        this.maxBatchTokens = builder.maxBatchTokens;
    }

    /**
     * Returns the options with every default.
     *
     * @return the default options
     */
    public static EmbedderOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a builder with every default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a builder holding these options, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.device = device;
        builder.quantized = quantized;
        builder.modelPath = modelPath;
        builder.tokenizerPath = tokenizerPath;
        builder.modelId = modelId;
        builder.intraOpThreads = intraOpThreads;
        builder.maxSequenceTokens = maxSequenceTokens;
        builder.maxBatchRecords = maxBatchRecords;
        builder.maxBatchTokens = maxBatchTokens;
        return builder;
    }

    /**
     * Returns the requested device.
     *
     * @return the device; see {@link MiniLmEmbedder#deviceInUse()} for the one actually used
     */
    public Device device() {
        return device;
    }

    /**
     * Tells whether the bundled int8 model is used instead of the fp32 one.
     *
     * @return true for the int8 model
     */
    public boolean isQuantized() {
        return quantized;
    }

    /**
     * Returns the ONNX model file used instead of the bundled model.
     *
     * @return the path, empty when the bundled model is used
     */
    public Optional<Path> modelPath() {
        return Optional.ofNullable(modelPath).map(Paths::get);
    }

    /**
     * Returns the {@code tokenizer.json} used with {@link #modelPath()}.
     *
     * @return the path, empty when the bundled tokenizer is used
     */
    public Optional<Path> tokenizerPath() {
        return Optional.ofNullable(tokenizerPath).map(Paths::get);
    }

    /**
     * Returns the id of the model these options select: the one set explicitly, else
     * {@value #BUNDLED_MODEL_ID} or {@value #BUNDLED_QUANTIZED_MODEL_ID} for the bundled models,
     * else the model file name without its {@code .onnx} extension.
     *
     * @return the model id
     */
    public String modelId() {
        if (modelId != null) {
            return modelId;
        }
        if (modelPath == null) {
            return quantized ? BUNDLED_QUANTIZED_MODEL_ID : BUNDLED_MODEL_ID;
        }
        Path fileName = Paths.get(modelPath).getFileName();
        String name = fileName == null ? modelPath : fileName.toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
    }

    /**
     * Returns the configured intra-op thread count.
     *
     * @return the count, or {@link #AUTO_INTRA_OP_THREADS} for one per available processor
     */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /**
     * Returns the maximum tokens per text, [CLS] and [SEP] included; longer texts are truncated
     * and keep their trailing [SEP].
     *
     * @return the maximum sequence length
     */
    public int maxSequenceTokens() {
        return maxSequenceTokens;
    }

    /**
     * Returns the maximum number of texts in one model call.
     *
     * @return the sub-batch record limit
     */
    public int maxBatchRecords() {
        return maxBatchRecords;
    }

    /**
     * Returns the maximum padded tokens (longest text times texts) in one model call.
     *
     * @return the sub-batch token limit
     */
    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EmbedderOptions)) {
            return false;
        }
        EmbedderOptions other = (EmbedderOptions) o;
        return quantized == other.quantized
                && intraOpThreads == other.intraOpThreads
                && maxSequenceTokens == other.maxSequenceTokens
                && maxBatchRecords == other.maxBatchRecords
                && maxBatchTokens == other.maxBatchTokens
                && device.equals(other.device)
                && Objects.equals(modelPath, other.modelPath)
                && Objects.equals(tokenizerPath, other.tokenizerPath)
                && Objects.equals(modelId, other.modelId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                device,
                quantized,
                modelPath,
                tokenizerPath,
                modelId,
                intraOpThreads,
                maxSequenceTokens,
                maxBatchRecords,
                maxBatchTokens);
    }

    @Override
    public String toString() {
        return "EmbedderOptions{device="
                + device
                + ", modelId="
                + modelId()
                + ", quantized="
                + quantized
                + (modelPath == null ? "" : ", modelPath=" + modelPath)
                + (tokenizerPath == null ? "" : ", tokenizerPath=" + tokenizerPath)
                + ", intraOpThreads="
                + (intraOpThreads == AUTO_INTRA_OP_THREADS ? "auto" : intraOpThreads)
                + ", maxSequenceTokens="
                + maxSequenceTokens
                + ", maxBatchRecords="
                + maxBatchRecords
                + ", maxBatchTokens="
                + maxBatchTokens
                + '}';
    }

    /**
     * Builds {@link EmbedderOptions}; each setter validates its argument and throws
     * {@link IllegalArgumentException} (or {@link NullPointerException} for {@code null}) with a
     * message that says how to fix it. Not thread-safe.
     */
    public static final class Builder {

        private Device device = DEFAULT_DEVICE;
        private boolean quantized = DEFAULT_QUANTIZED;
        private String modelPath;
        private String tokenizerPath;
        private String modelId;
        private int intraOpThreads = DEFAULT_INTRA_OP_THREADS;
        private int maxSequenceTokens = DEFAULT_MAX_SEQUENCE_TOKENS;
        private int maxBatchRecords = DEFAULT_MAX_BATCH_RECORDS;
        private int maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;

        private Builder() {}

        /**
         * Sets where the model runs. Default {@link EmbedderOptions#DEFAULT_DEVICE}.
         *
         * @param device the device
         * @return this builder
         */
        public Builder setDevice(Device device) {
            this.device =
                    Objects.requireNonNull(
                            device,
                            "device must not be null: use Device.AUTO, Device.CPU or Device.cuda(index)");
            return this;
        }

        /**
         * Sets where the model runs from its text form: {@code auto}, {@code cpu}, {@code cuda}
         * or {@code cuda:N}.
         *
         * @param device the device text
         * @return this builder
         * @throws IllegalArgumentException if the text is not a device
         */
        public Builder setDevice(String device) {
            this.device = Device.parse(device);
            return this;
        }

        /**
         * Selects the bundled int8 model (faster, vectors slightly off the fp32 ones, with its
         * own model id). Default {@value EmbedderOptions#DEFAULT_QUANTIZED}. Cannot be combined with
         * {@link #setModelPath(Path)}.
         *
         * @param quantized true for the int8 model
         * @return this builder
         */
        public Builder setQuantized(boolean quantized) {
            this.quantized = quantized;
            return this;
        }

        /**
         * Uses an ONNX model file instead of the bundled model; requires
         * {@link #setTokenizerPath(Path)} too. The model must take {@code input_ids} and
         * {@code attention_mask} (and optionally {@code token_type_ids}) as int64 and return the
         * token embeddings {@code [batch, tokens, dimension]}.
         *
         * @param modelPath the {@code .onnx} file
         * @return this builder
         */
        public Builder setModelPath(Path modelPath) {
            this.modelPath =
                    Objects.requireNonNull(
                                    modelPath,
                                    "modelPath must not be null: leave it unset to use the bundled model")
                            .toString();
            return this;
        }

        /**
         * Uses a Hugging Face {@code tokenizer.json} instead of the bundled one; goes with
         * {@link #setModelPath(Path)}. Its own truncation and padding settings are ignored: this
         * embedder truncates to {@link #setMaxSequenceTokens(int)} and pads per sub-batch.
         *
         * @param tokenizerPath the {@code tokenizer.json} file
         * @return this builder
         */
        public Builder setTokenizerPath(Path tokenizerPath) {
            this.tokenizerPath =
                    Objects.requireNonNull(
                                    tokenizerPath,
                                    "tokenizerPath must not be null: leave it unset to use the bundled tokenizer")
                            .toString();
            return this;
        }

        /**
         * Sets the model id reported by {@link Embedder#modelId()}; by default it is derived
         * from the model (see {@link EmbedderOptions#modelId()}).
         *
         * @param modelId letters, digits, '.', '_' and '-', at most 128 characters
         * @return this builder
         */
        public Builder setModelId(String modelId) {
            Objects.requireNonNull(
                    modelId, "modelId must not be null: leave it unset to derive it from the model");
            if (!MODEL_ID.matcher(modelId).matches()) {
                throw new IllegalArgumentException(
                        "modelId '"
                                + modelId
                                + "' is not valid: use letters, digits, '.', '_' and '-' (starting"
                                + " with a letter or digit), at most 128 characters, e.g."
                                + " all-minilm-l6-v2");
            }
            this.modelId = modelId;
            return this;
        }

        /**
         * Sets the threads ONNX Runtime uses inside one model call. Default
         * {@link EmbedderOptions#AUTO_INTRA_OP_THREADS}: one per processor available to the JVM that runs the
         * model. The session, and so its thread pool, is shared by all embedders of the JVM
         * with the same model, device and thread count.
         *
         * @param intraOpThreads 0 for automatic, or a positive count
         * @return this builder
         */
        public Builder setIntraOpThreads(int intraOpThreads) {
            if (intraOpThreads < 0) {
                throw new IllegalArgumentException(
                        "intraOpThreads must be >= 0 (0 = one per available processor), was "
                                + intraOpThreads);
            }
            this.intraOpThreads = intraOpThreads;
            return this;
        }

        /**
         * Sets the maximum tokens per text, [CLS] and [SEP] included. Default
         * {@value EmbedderOptions#DEFAULT_MAX_SEQUENCE_TOKENS}, the sentence-transformers setting for this model and the
         * one its reference vectors use.
         *
         * @param maxSequenceTokens between {@value EmbedderOptions#MIN_SEQUENCE_TOKENS} and
         *     {@value EmbedderOptions#MAX_SEQUENCE_TOKENS_LIMIT}
         * @return this builder
         */
        public Builder setMaxSequenceTokens(int maxSequenceTokens) {
            if (maxSequenceTokens < MIN_SEQUENCE_TOKENS
                    || maxSequenceTokens > MAX_SEQUENCE_TOKENS_LIMIT) {
                throw new IllegalArgumentException(
                        "maxSequenceTokens must be between "
                                + MIN_SEQUENCE_TOKENS
                                + " and "
                                + MAX_SEQUENCE_TOKENS_LIMIT
                                + " (the model has 512 position embeddings; sentence-transformers"
                                + " uses 256), was "
                                + maxSequenceTokens);
            }
            this.maxSequenceTokens = maxSequenceTokens;
            return this;
        }

        /**
         * Sets the maximum number of texts in one model call. Default
         * {@value EmbedderOptions#DEFAULT_MAX_BATCH_RECORDS}.
         *
         * @param maxBatchRecords a positive count
         * @return this builder
         */
        public Builder setMaxBatchRecords(int maxBatchRecords) {
            if (maxBatchRecords < 1) {
                throw new IllegalArgumentException(
                        "maxBatchRecords must be >= 1 (texts per model call), was "
                                + maxBatchRecords);
            }
            this.maxBatchRecords = maxBatchRecords;
            return this;
        }

        /**
         * Sets the maximum padded tokens in one model call: the longest text of a sub-batch
         * times its number of texts. Default {@value EmbedderOptions#DEFAULT_MAX_BATCH_TOKENS}; must be at
         * least {@link #setMaxSequenceTokens(int)} so that a text of full length fits.
         *
         * @param maxBatchTokens a positive count
         * @return this builder
         */
        public Builder setMaxBatchTokens(int maxBatchTokens) {
            if (maxBatchTokens < 1) {
                throw new IllegalArgumentException(
                        "maxBatchTokens must be >= 1 (padded tokens per model call), was "
                                + maxBatchTokens);
            }
            this.maxBatchTokens = maxBatchTokens;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalStateException if settings contradict each other; the message says how
         *     to resolve it
         */
        public EmbedderOptions build() {
            if (modelPath != null && tokenizerPath == null) {
                throw new IllegalStateException(
                        "modelPath is set but tokenizerPath is not: also call setTokenizerPath with"
                                + " the tokenizer.json that belongs to "
                                + modelPath);
            }
            if (tokenizerPath != null && modelPath == null) {
                throw new IllegalStateException(
                        "tokenizerPath is set but modelPath is not: also call setModelPath with the"
                                + " .onnx model that belongs to "
                                + tokenizerPath
                                + ", or leave both unset to use the bundled model");
            }
            if (quantized && modelPath != null) {
                throw new IllegalStateException(
                        "quantized selects the bundled int8 model and cannot be combined with"
                                + " modelPath "
                                + modelPath
                                + ": either leave quantized false and point modelPath at an int8"
                                + " .onnx file, or drop modelPath and tokenizerPath");
            }
            if (maxBatchTokens < maxSequenceTokens) {
                throw new IllegalStateException(
                        "maxBatchTokens ("
                                + maxBatchTokens
                                + ") is smaller than maxSequenceTokens ("
                                + maxSequenceTokens
                                + "), so a text of full length would not fit in a model call:"
                                + " raise maxBatchTokens to at least "
                                + maxSequenceTokens
                                + " or lower maxSequenceTokens");
            }
            return new EmbedderOptions(this);
        }
    }
}
