package io.shelfstream.embedding;

import java.util.Collections;
import java.util.List;

/**
 * Turns texts into dense, L2-normalised vectors.
 *
 * <p>Guarantees every implementation gives:
 *
 * <ul>
 *   <li>{@link #embed(List)} returns one vector of {@link #dimension()} floats per input text,
 *       in the order of the input; an empty list gives an empty array.
 *   <li>Vectors have unit L2 norm, so a dot product is the cosine similarity.
 *   <li>A {@code null} text is embedded as the empty string.
 *   <li>With an fp32 model, the vector of a text does not depend on which other texts share the call
 *       (within 1e-5). The int8 model quantizes activations per batch, so its vectors of one text vary
 *       slightly with the batch (cosine 0.985 or more has been measured); do not compare int8 vectors
 *       for exact equality.
 *   <li>Methods may be called concurrently from several threads until {@link #close()}.
 * </ul>
 *
 * <p>Usage:
 *
 * <pre>{@code
 * try (Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.defaults())) {
 *     float[][] vectors = embedder.embed(List.of("Hatchet. A boy survives alone.", "Frindle."));
 * }
 * }</pre>
 */
public interface Embedder extends AutoCloseable {

    /**
     * Embeds texts.
     *
     * @param texts the texts; {@code null} elements are embedded as the empty string
     * @return one vector per text, in input order
     * @throws IllegalStateException if the embedder is closed or the model fails
     */
    float[][] embed(List<String> texts);

    /**
     * Embeds one text; a convenience for {@code embed(List.of(text))[0]}.
     *
     * @param text the text; {@code null} is embedded as the empty string
     * @return its vector
     */
    default float[] embed(String text) {
        return embed(Collections.singletonList(text))[0];
    }

    /**
     * Names the model that produced the vectors, e.g. {@code all-minilm-l6-v2}. Vectors of
     * different model ids are not comparable.
     *
     * @return the model id
     */
    String modelId();

    /**
     * Returns the number of floats in every vector.
     *
     * @return the vector dimension (384 for all-MiniLM-L6-v2)
     */
    int dimension();

    /**
     * Counts the tokens the model sees for a text: special tokens included, after truncation.
     * Meant for token budgets; it costs a tokenization, not a model call.
     *
     * @param text the text; {@code null} counts as the empty string
     * @return the token count, never more than the configured maximum sequence length
     */
    int countTokens(String text);

    /**
     * Counts the tokens the model processes, padding included, when texts with these token counts
     * are embedded in one {@link #embed(List)} call. Divided into the sum of the counts it gives
     * the padding efficiency of a batch. It costs no tokenization and no model call.
     *
     * <p>The default assumes a single model call padded to the longest text; implementations that
     * split a batch into sub-batches override it with their own plan.
     *
     * @param tokenCounts the token count of each text, as {@link #countTokens(String)} gives it
     * @return the padded token count, 0 for no texts
     */
    default long countPaddedTokens(int[] tokenCounts) {
        int longest = 0;
        for (int count : tokenCounts) {
            longest = Math.max(longest, count);
        }
        return (long) longest * tokenCounts.length;
    }

    /**
     * Names where the model runs, e.g. {@code cpu} or {@code cuda:0}, for logs and metrics.
     *
     * @return the device in use; {@code unknown} unless the implementation tells
     */
    default String deviceInUse() {
        return "unknown";
    }

    /** Releases the model; further calls fail. Closing twice has no effect. */
    @Override
    void close();
}
