package io.shelfstream.job.records;

/**
 * A student change joined with its catalog row.
 *
 * @param change          the change
 * @param found           whether the catalog has the row ({@code false}: the fields below are null)
 * @param gradeLevel      catalog grade, may be null
 * @param interests       catalog interests (free text), may be null
 * @param preferredGenres catalog preferred genres, never null when found
 * @param catalogVersion  the row's {@code updated_at} in epoch milliseconds, {@link EnrichedBook#UNKNOWN_VERSION}
 *                        when the catalog has no version column or the row was not found
 */
public record EnrichedStudent(
        StudentChange change,
        boolean found,
        Integer gradeLevel,
        String interests,
        String[] preferredGenres,
        long catalogVersion) {

    /** A student with a row of unknown version. */
    public EnrichedStudent(StudentChange change, boolean found, Integer gradeLevel, String interests,
            String[] preferredGenres) {
        this(change, found, gradeLevel, interests, preferredGenres, EnrichedBook.UNKNOWN_VERSION);
    }

    /** A change whose catalog row does not exist (or a removal, which needs none). */
    public static EnrichedStudent missing(StudentChange change) {
        return new EnrichedStudent(change, false, null, null, null);
    }
}
