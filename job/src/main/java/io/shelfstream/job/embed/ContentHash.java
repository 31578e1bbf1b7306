package io.shelfstream.job.embed;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The content hash of an embedded text: SHA-256 over the model id, the text and any extra content the output
 * depends on, as 64 lowercase hex digits.
 *
 * <p>Two records with the same hash get the same vector and the same output, so the second need not be embedded
 * again. The model id is part of the hash: a new model re-embeds everything. The parts are joined with a NUL
 * character, which texts do not contain, so that moving characters from one part to another changes the hash.
 *
 * <pre>{@code
 * String hash = ContentHash.of("all-minilm-l6-v2", "Hatchet. A boy survives alone.", "");
 * }</pre>
 */
public final class ContentHash {

    private static final char SEPARATOR = '\0';

    private ContentHash() {
    }

    /**
     * Hashes a text for a model.
     *
     * @param modelId      the model that embeds the text
     * @param text         the text, not null
     * @param extraContent content besides the text that the output depends on; empty when there is none
     * @return 64 lowercase hex digits
     */
    public static String of(String modelId, String text, String extraContent) {
        MessageDigest digest = sha256();
        digest.update(modelId.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) SEPARATOR);
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        if (!extraContent.isEmpty()) {
            digest.update((byte) SEPARATOR);
            digest.update(extraContent.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
