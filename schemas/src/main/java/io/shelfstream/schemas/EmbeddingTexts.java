package io.shelfstream.schemas;

import java.util.List;

/**
 * The texts that are embedded for each entity. Changing them changes every vector: treat as a contract.
 */
public final class EmbeddingTexts {

    private EmbeddingTexts() {
    }

    /**
     * A book's text: {@code title. description} followed by the author and genres when present, e.g.
     * {@code "Tide Pools. By Hannah Okafor. Genres: nature, non-fiction."} for a book without description.
     */
    public static String book(String title, String author, String description, List<String> genres) {
        StringBuilder sb = new StringBuilder();
        sb.append(title == null ? "" : title.strip());
        if (description != null && !description.isBlank()) {
            sb.append(". ").append(description.strip());
        }
        if (author != null && !author.isBlank()) {
            sb.append(endsWithStop(sb) ? " " : ". ").append("By ").append(author.strip()).append('.');
        }
        if (genres != null && !genres.isEmpty()) {
            sb.append(endsWithStop(sb) ? " " : ". ").append("Genres: ").append(String.join(", ", genres)).append('.');
        }
        return sb.toString();
    }

    private static boolean endsWithStop(StringBuilder sb) {
        if (sb.length() == 0) {
            return true;
        }
        char c = sb.charAt(sb.length() - 1);
        return c == '.' || c == '!' || c == '?';
    }
}
