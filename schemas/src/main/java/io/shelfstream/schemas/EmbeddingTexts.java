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

    /**
     * A student's profile text: grade, interests (free text from the catalog, used as written) and preferred
     * genres, e.g. {@code "A grade 6 reader who likes space, robots and building things. Favourite genres: science,
     * adventure."}. Every part may be missing: {@code null} grade gives {@code "A reader ..."}, blank interests
     * leave out {@code "who likes ..."}, no genres leave out the second sentence; all missing gives
     * {@code "A reader."}. Blank and {@code null} genres are skipped.
     */
    public static String student(Integer gradeLevel, String interests, List<String> preferredGenres) {
        StringBuilder sb = new StringBuilder(gradeLevel == null ? "A reader" : "A grade " + gradeLevel + " reader");
        String likes = interests == null ? "" : interests.strip();
        while (!likes.isEmpty() && (likes.endsWith(".") || likes.endsWith("!") || likes.endsWith("?"))) {
            likes = likes.substring(0, likes.length() - 1).strip();
        }
        if (!likes.isEmpty()) {
            sb.append(" who likes ").append(likes.replaceAll("\\s+", " "));
        }
        sb.append('.');
        List<String> genres = new java.util.ArrayList<>();
        if (preferredGenres != null) {
            for (String g : preferredGenres) {
                if (g != null && !g.isBlank()) {
                    genres.add(g.strip());
                }
            }
        }
        if (!genres.isEmpty()) {
            sb.append(" Favourite genres: ").append(String.join(", ", genres)).append('.');
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
