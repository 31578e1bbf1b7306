package io.shelfstream.embedding.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An ONNX Runtime session of a BERT-style encoder plus sentence-transformers pooling: mean over
 * the attention mask of the token embeddings, then L2 normalisation.
 *
 * <p>Inputs are {@code input_ids}, {@code attention_mask} and, if the model declares it,
 * {@code token_type_ids} (all int64). The token embeddings are the output named
 * {@code last_hidden_state} or else the only float output of rank 3 (the bundled fp32 model
 * calls it {@code output_0} and also returns a pooler output, which is not used).
 *
 * <p>{@link #embed} is thread-safe (ONNX Runtime sessions are). Instances are shared through
 * {@link OnnxModels}; only the registry closes them.
 */
public final class OnnxModel implements AutoCloseable {

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String LAST_HIDDEN_STATE = "last_hidden_state";

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final String description;
    private final String device;
    private final boolean takesTokenTypeIds;
    private final String tokenEmbeddingsOutput;
    private final Set<String> requestedOutputs;
    private final int dimension;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OnnxModel(
            OrtEnvironment environment,
            OrtSession session,
            String description,
            String device,
            boolean takesTokenTypeIds,
            String tokenEmbeddingsOutput,
            int dimension) {
        this.environment = environment;
        this.session = session;
        this.description = description;
        this.device = device;
        this.takesTokenTypeIds = takesTokenTypeIds;
        this.tokenEmbeddingsOutput = tokenEmbeddingsOutput;
        this.requestedOutputs = Collections.singleton(tokenEmbeddingsOutput);
        this.dimension = dimension;
    }

    /**
     * Creates the session and checks the model's inputs and outputs. Call it on a large-stack
     * thread (see {@link LargeStackThreads}).
     *
     * @param source the model
     * @param sessionOptions the session options, device already configured; the caller closes them
     * @param device the device text to report, {@code cpu} or {@code cuda:N}
     * @return the model
     * @throws OrtException if ONNX Runtime rejects the model or the device
     * @throws IOException if the model cannot be read
     * @throws IllegalArgumentException if the model's inputs or outputs do not fit
     */
    static OnnxModel load(ModelSource source, OrtSession.SessionOptions sessionOptions, String device)
            throws OrtException, IOException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session = source.createSession(environment, sessionOptions);
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            for (Map.Entry<String, NodeInfo> input : inputs.entrySet()) {
                String name = input.getKey();
                if (!name.equals(INPUT_IDS)
                        && !name.equals(ATTENTION_MASK)
                        && !name.equals(TOKEN_TYPE_IDS)) {
                    throw new IllegalArgumentException(
                            "Model "
                                    + source
                                    + " has an input '"
                                    + name
                                    + "' this embedder cannot feed; expected input_ids,"
                                    + " attention_mask and optionally token_type_ids");
                }
                if (!(input.getValue().getInfo() instanceof TensorInfo)
                        || ((TensorInfo) input.getValue().getInfo()).type != OnnxJavaType.INT64) {
                    throw new IllegalArgumentException(
                            "Model " + source + " input '" + name + "' must be an int64 tensor, is "
                                    + input.getValue().getInfo());
                }
            }
            if (!inputs.containsKey(INPUT_IDS) || !inputs.containsKey(ATTENTION_MASK)) {
                throw new IllegalArgumentException(
                        "Model " + source + " must take input_ids and attention_mask, takes "
                                + inputs.keySet());
            }
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            String output = tokenEmbeddingsOutput(source, outputs);
            long[] shape = ((TensorInfo) outputs.get(output).getInfo()).getShape();
            OnnxModel model =
                    new OnnxModel(
                            environment,
                            session,
                            source.toString(),
                            device,
                            inputs.containsKey(TOKEN_TYPE_IDS),
                            output,
                            (int) shape[2]);
            if (shape[2] <= 0) {
                // dynamic hidden size: run the shortest possible input once to learn it
                model = model.withDimension(model.hiddenSize());
            }
            return model;
        } catch (RuntimeException | OrtException e) {
            session.close();
            throw e;
        }
    }

    private static String tokenEmbeddingsOutput(ModelSource source, Map<String, NodeInfo> outputs) {
        if (outputs.containsKey(LAST_HIDDEN_STATE) && isRank3Float(outputs.get(LAST_HIDDEN_STATE))) {
            return LAST_HIDDEN_STATE;
        }
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> output : outputs.entrySet()) {
            if (isRank3Float(output.getValue())) {
                candidates.add(output.getKey());
            }
        }
        if (candidates.size() != 1) {
            throw new IllegalArgumentException(
                    "Model "
                            + source
                            + " must return the token embeddings as one float tensor [batch,"
                            + " tokens, dimension] (ideally named last_hidden_state); its outputs"
                            + " are "
                            + outputs.values());
        }
        return candidates.get(0);
    }

    private static boolean isRank3Float(NodeInfo info) {
        return info.getInfo() instanceof TensorInfo
                && ((TensorInfo) info.getInfo()).type == OnnxJavaType.FLOAT
                && ((TensorInfo) info.getInfo()).getShape().length == 3;
    }

    private OnnxModel withDimension(int hiddenSize) {
        return new OnnxModel(
                environment,
                session,
                description,
                device,
                takesTokenTypeIds,
                tokenEmbeddingsOutput,
                hiddenSize);
    }

    private int hiddenSize() throws OrtException {
        // [CLS] [SEP] of BERT vocabularies; the ids only need to be valid
        long[][] ids = {{101, 102}};
        try (OrtSession.Result result = run(ids, new int[] {0}, 2)) {
            return (int) ((TensorInfo) result.get(0).getInfo()).getShape()[2];
        }
    }

    /**
     * Embeds the texts {@code rows} of {@code tokenIds} in one model call, padded to the longest
     * of them.
     *
     * @param tokenIds token ids of every text of the batch
     * @param rows the indices into {@code tokenIds} that form this sub-batch
     * @return one L2-normalised vector per row, in row order
     * @throws OrtException if ONNX Runtime fails
     */
    public float[][] embed(long[][] tokenIds, int[] rows) throws OrtException {
        int longest = 1;
        for (int row : rows) {
            longest = Math.max(longest, tokenIds[row].length);
        }
        float[][] vectors = new float[rows.length][];
        try (OrtSession.Result result = run(tokenIds, rows, longest)) {
            OnnxTensor tokenEmbeddings = (OnnxTensor) result.get(0);
            long[] shape = tokenEmbeddings.getInfo().getShape();
            if (shape.length != 3
                    || shape[0] != rows.length
                    || shape[1] != longest
                    || shape[2] != dimension) {
                throw new IllegalStateException(
                        "Model "
                                + description
                                + " returned token embeddings of shape "
                                + Arrays.toString(shape)
                                + ", expected ["
                                + rows.length
                                + ", "
                                + longest
                                + ", "
                                + dimension
                                + "]");
            }
            FloatBuffer values = tokenEmbeddings.getFloatBuffer();
            double[] sum = new double[dimension];
            for (int r = 0; r < rows.length; r++) {
                vectors[r] = meanPoolAndNormalize(values, r, longest, tokenIds[rows[r]].length, sum);
            }
        }
        return vectors;
    }

    private OrtSession.Result run(long[][] tokenIds, int[] rows, int longest) throws OrtException {
        int cells = rows.length * longest;
        LongBuffer ids = directLongs(cells);
        LongBuffer mask = directLongs(cells);
        for (int r = 0; r < rows.length; r++) {
            long[] tokens = tokenIds[rows[r]];
            int offset = r * longest;
            for (int t = 0; t < tokens.length; t++) {
                ids.put(offset + t, tokens[t]);
                mask.put(offset + t, 1L);
            }
        }
        long[] shape = {rows.length, longest};
        try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, ids, shape);
                OnnxTensor maskTensor = OnnxTensor.createTensor(environment, mask, shape);
                OnnxTensor typesTensor =
                        takesTokenTypeIds
                                ? OnnxTensor.createTensor(environment, directLongs(cells), shape)
                                : null) {
            Map<String, OnnxTensor> inputs = new HashMap<>(4);
            inputs.put(INPUT_IDS, idsTensor);
            inputs.put(ATTENTION_MASK, maskTensor);
            if (typesTensor != null) {
                inputs.put(TOKEN_TYPE_IDS, typesTensor);
            }
            return session.run(inputs, requestedOutputs);
        }
    }

    /**
     * Mean of the first {@code tokens} token vectors of row {@code row} (the positions whose
     * attention mask is 1), scaled to unit length.
     */
    private float[] meanPoolAndNormalize(
            FloatBuffer values, int row, int longest, int tokens, double[] sum) {
        Arrays.fill(sum, 0.0);
        int base = row * longest * dimension;
        for (int t = 0; t < tokens; t++) {
            int offset = base + t * dimension;
            for (int d = 0; d < dimension; d++) {
                sum[d] += values.get(offset + d);
            }
        }
        // sentence-transformers clamps the token count at 1e-9 and the norm at 1e-12
        double count = Math.max(tokens, 1e-9);
        double squares = 0.0;
        for (int d = 0; d < dimension; d++) {
            sum[d] /= count;
            squares += sum[d] * sum[d];
        }
        double norm = Math.max(Math.sqrt(squares), 1e-12);
        float[] vector = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            vector[d] = (float) (sum[d] / norm);
        }
        return vector;
    }

    private static LongBuffer directLongs(int count) {
        // zero-filled, in native order, so ONNX Runtime can use it without a copy
        return ByteBuffer.allocateDirect(count * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    /**
     * Returns the vector dimension (the model's hidden size).
     *
     * @return the dimension
     */
    public int dimension() {
        return dimension;
    }

    /**
     * Returns the device the session runs on.
     *
     * @return {@code cpu} or {@code cuda:N}
     */
    public String device() {
        return device;
    }

    /**
     * Tells whether the session has been closed.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() throws OrtException {
        if (closed.compareAndSet(false, true)) {
            session.close();
        }
    }

    @Override
    public String toString() {
        return description + " on " + device;
    }
}
