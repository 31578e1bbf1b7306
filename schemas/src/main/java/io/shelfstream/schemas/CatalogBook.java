package io.shelfstream.schemas;

import java.util.List;

/**
 * One row of the catalog's {@code books} table (see {@link CatalogSql#ddl()}).
 *
 * @param bookId       primary key, the id events name
 * @param isbn         ISBN-13, may be null
 * @param title        title, never null
 * @param author       author, may be null
 * @param description  description, may be null (the job embeds title, author and genres then)
 * @param genres       genres, never null, may be empty
 * @param readingLevel reading level such as {@code middle-grade}, may be null
 */
public record CatalogBook(
        String bookId,
        String isbn,
        String title,
        String author,
        String description,
        List<String> genres,
        String readingLevel) {

    /** Checks the id and the NOT NULL columns. */
    public CatalogBook {
        EventFields.requireId("bookId", bookId);
        if (title == null) {
            throw new NullPointerException("title");
        }
        genres = List.copyOf(genres);
    }
}
