package io.shelfstream.job.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * The benchmark's baseline: the bundled all-MiniLM-L6-v2 on a bare ONNX Runtime session, batched the obvious way.
 *
 * <p>Texts go to the model {@value #BATCH_SIZE} at a time in input order, each batch padded by the tokenizer to
 * its longest text; then mean pooling over the attention mask and L2 normalisation, as sentence-transformers does.
 * It uses ONNX Runtime and the Hugging Face tokenizer directly, not the project's {@code Embedder}, and the same
 * session settings as the Embedder (intra-op threads, sequential execution, all graph optimisations), so that the
 * comparison measures batching and nothing else.
 */
final class NaiveOnnxBaseline implements AutoCloseable {

    /** Texts per model call. */
    static final int BATCH_SIZE = 32;

    private static final int MAX_TOKENS = 256;

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final String tokenEmbeddings;
    private final boolean takesTokenTypes;

    private NaiveOnnxBaseline(OrtEnvironment environment, OrtSession session, HuggingFaceTokenizer tokenizer,
            String tokenEmbeddings, boolean takesTokenTypes) {
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        this.tokenEmbeddings = tokenEmbeddings;
        this.takesTokenTypes = takesTokenTypes;
    }

    /**
     * Loads the bundled model and its tokenizer from the class path.
     *
     * @param quantized      the int8 model instead of the fp32 one
     * @param intraOpThreads ONNX Runtime's intra-op threads
     * @return the baseline; close it when done
     */
    static NaiveOnnxBaseline load(boolean quantized, int intraOpThreads) throws IOException, OrtException {
        String name = quantized ? "all-minilm-l6-v2-q" : "all-minilm-l6-v2";
        // the tokenizer must not reach for the network (DJL's default on some hosts)
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("addSpecialTokens", "true");
        settings.put("truncation", "longest_first");
        settings.put("padding", "true"); // pad each batch to its longest text
        settings.put("maxLength", Integer.toString(MAX_TOKENS));
        settings.put("modelMaxLength", Integer.toString(MAX_TOKENS));
        HuggingFaceTokenizer tokenizer;
        try (InputStream json = resource(name + "-tokenizer.json")) {
            tokenizer = HuggingFaceTokenizer.newInstance(json, settings);
        }
        byte[] model;
        try (InputStream in = resource(name + ".onnx")) {
            model = in.readAllBytes();
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = environment.createSession(model, options);
        }
        String output = null;
        for (Map.Entry<String, NodeInfo> candidate : session.getOutputInfo().entrySet()) {
            if (candidate.getValue().getInfo() instanceof TensorInfo info && info.getShape().length == 3
                    && (output == null || candidate.getKey().equals("last_hidden_state"))) {
                output = candidate.getKey();
            }
        }
        if (output == null) {
            session.close();
            tokenizer.close();
            throw new IllegalStateException(name + " has no token-embeddings output: " + session.getOutputInfo());
        }
        return new NaiveOnnxBaseline(environment, session, tokenizer, output,
                session.getInputNames().contains("token_type_ids"));
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = NaiveOnnxBaseline.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("class-path resource " + name + " is missing (the model jar is not on the class"
                    + " path)");
        }
        return in;
    }

    /**
     * Embeds texts in batches of {@value #BATCH_SIZE}, in input order.
     *
     * @param texts the texts
     * @return one unit vector per text
     */
    float[][] embed(List<String> texts) throws OrtException {
        float[][] vectors = new float[texts.size()][];
        for (int start = 0; start < texts.size(); start += BATCH_SIZE) {
            List<String> batch = texts.subList(start, Math.min(texts.size(), start + BATCH_SIZE));
            Encoding[] encodings = tokenizer.batchEncode(batch);
            int rows = encodings.length;
            int columns = encodings[0].getIds().length;
            LongBuffer ids = LongBuffer.allocate(rows * columns);
            LongBuffer mask = LongBuffer.allocate(rows * columns);
            for (Encoding encoding : encodings) {
                ids.put(encoding.getIds());
                mask.put(encoding.getAttentionMask());
            }
            ids.flip();
            mask.flip();
            long[] shape = {rows, columns};
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, ids, shape);
                    OnnxTensor maskTensor = OnnxTensor.createTensor(environment, mask, shape);
                    OnnxTensor typesTensor = takesTokenTypes
                            ? OnnxTensor.createTensor(environment, LongBuffer.allocate(rows * columns), shape)
                            : null) {
                inputs.put("input_ids", idsTensor);
                inputs.put("attention_mask", maskTensor);
                if (typesTensor != null) {
                    inputs.put("token_type_ids", typesTensor);
                }
                try (OrtSession.Result result = session.run(inputs, Set.of(tokenEmbeddings))) {
                    OnnxTensor hidden = (OnnxTensor) result.get(0);
                    int dimension = (int) hidden.getInfo().getShape()[2];
                    FloatBuffer values = hidden.getFloatBuffer();
                    for (int r = 0; r < rows; r++) {
                        vectors[start + r] = meanPool(values, r, columns, dimension, encodings[r].getAttentionMask());
                    }
                }
            }
        }
        return vectors;
    }

    private static float[] meanPool(FloatBuffer values, int row, int columns, int dimension, long[] mask) {
        double[] sum = new double[dimension];
        int tokens = 0;
        for (int t = 0; t < columns; t++) {
            if (mask[t] == 0) {
                continue;
            }
            tokens++;
            int offset = (row * columns + t) * dimension;
            for (int d = 0; d < dimension; d++) {
                sum[d] += values.get(offset + d);
            }
        }
        double squares = 0;
        for (int d = 0; d < dimension; d++) {
            sum[d] /= Math.max(tokens, 1);
            squares += sum[d] * sum[d];
        }
        double norm = Math.max(Math.sqrt(squares), 1e-12);
        float[] vector = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            vector[d] = (float) (sum[d] / norm);
        }
        return vector;
    }

    @Override
    public void close() throws OrtException {
        session.close();
        tokenizer.close();
    }
}
