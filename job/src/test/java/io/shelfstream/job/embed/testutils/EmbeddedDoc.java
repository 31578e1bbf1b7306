package io.shelfstream.job.embed.testutils;

/**
 * A test output: an embedded {@link Doc}, or a removal (vector, hash and text null).
 *
 * @param id          the entity
 * @param text        the embedded text
 * @param vector      its vector
 * @param contentHash its content hash
 * @param modelId     the model
 */
public record EmbeddedDoc(String id, String text, float[] vector, String contentHash, String modelId) {

    /** Tells whether this is a removal. */
    public boolean isRemoval() {
        return vector == null;
    }

    /** {@code id=text} or {@code id removed}, for readable assertions. */
    public String summary() {
        return isRemoval() ? id + " removed" : id + "=" + text;
    }
}
