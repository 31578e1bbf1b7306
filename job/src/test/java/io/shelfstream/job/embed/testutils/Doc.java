package io.shelfstream.job.embed.testutils;

/**
 * A test input: an entity id and its text; a {@code null} text stands for a removal.
 *
 * @param id   the entity
 * @param text the text, or null for a removal
 */
public record Doc(String id, String text) {

    /** A removal of {@code id}. */
    public static Doc removal(String id) {
        return new Doc(id, null);
    }
}
