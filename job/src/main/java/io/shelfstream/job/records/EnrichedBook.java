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
 * @param catalogVersion the row's {@code updated_at} in epoch milliseconds, {@link #UNKNOWN_VERSION} when the
 *                    catalog has no version column or the row was not found
 */
public record EnrichedBook(
        BookChange change,
        boolean found,
        String title,
        String author,
        String description,
        String[] genres,
        String readingLevel,
        long catalogVersion) {

    /** The {@link #catalogVersion} of a row whose version is not known. */
    public static final long UNKNOWN_VERSION = Long.MIN_VALUE;

    /** A book with a row of unknown version. */
    public EnrichedBook(BookChange change, boolean found, String title, String author, String description,
            String[] genres, String readingLevel) {
        this(change, found, title, author, description, genres, readingLevel, UNKNOWN_VERSION);
    }

    /** A change whose catalog row does not exist. */
    public static EnrichedBook missing(BookChange change) {
        return new EnrichedBook(change, false, null, null, null, null, null);
    }
}
