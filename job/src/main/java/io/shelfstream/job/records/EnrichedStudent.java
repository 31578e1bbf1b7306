package io.shelfstream.job.records;

/**
 * A student change joined with its catalog row.
 *
 * @param change          the change
 * @param found           whether the catalog has the row ({@code false}: the fields below are null)
 * @param gradeLevel      catalog grade, may be null
 * @param interests       catalog interests (free text), may be null
 * @param preferredGenres catalog preferred genres, never null when found
 */
public record EnrichedStudent(
        StudentChange change,
        boolean found,
        Integer gradeLevel,
        String interests,
        String[] preferredGenres) {

    /** A change whose catalog row does not exist (or a removal, which needs none). */
    public static EnrichedStudent missing(StudentChange change) {
        return new EnrichedStudent(change, false, null, null, null);
    }
}
