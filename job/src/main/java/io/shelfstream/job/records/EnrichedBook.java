package io.shelfstream.job.records;

/**
 * A book change joined with its catalog row.
 *
 * @param change      the change
 * @param found       whether the catalog has the row ({@code false}: the fields below are null)
 * @param title       catalog title
 * @param author      catalog author, may be null
 * @param description catalog description, may be null
 * @param genres      catalog genres, never null when found
 * @param readingLevel catalog reading level, may be null
 */
public record EnrichedBook(
        BookChange change,
        boolean found,
        String title,
        String author,
        String description,
        String[] genres,
        String readingLevel) {

    /** A change whose catalog row does not exist. */
    public static EnrichedBook missing(BookChange change) {
        return new EnrichedBook(change, false, null, null, null, null, null);
    }
}
