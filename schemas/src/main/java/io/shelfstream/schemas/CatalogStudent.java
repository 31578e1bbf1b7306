package io.shelfstream.schemas;

import java.util.List;

/**
 * One row of the catalog's {@code students} table (see {@link CatalogSql#ddl()}).
 *
 * @param studentId       primary key, the id events name
 * @param gradeLevel      school grade, 1 to 12, may be null
 * @param interests       free-text interests, may be null
 * @param preferredGenres preferred genres, never null, may be empty
 */
public record CatalogStudent(String studentId, Integer gradeLevel, String interests, List<String> preferredGenres) {

    /** Checks the id and the NOT NULL columns. */
    public CatalogStudent {
        EventFields.requireId("studentId", studentId);
        preferredGenres = List.copyOf(preferredGenres);
    }
}
