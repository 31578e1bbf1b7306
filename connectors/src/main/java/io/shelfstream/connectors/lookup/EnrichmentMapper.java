package io.shelfstream.connectors.lookup;

import java.io.Serializable;

/**
 * Turns an input and its catalog row into the output of a {@link JdbcEnrichmentFunction}, and says which outputs
 * stand for a missing row.
 *
 * <p>The function retries a lookup whose output {@link #isMissing is missing}; the output of the last attempt is
 * emitted as it is, so {@link #missing} is where a row that never arrived becomes, for example, a record bound for
 * the dead-letter output. Methods run on the function's I/O threads (and on the task thread for cache hits and
 * inputs that need no lookup); they must be fast and must not block.
 *
 * <pre>{@code
 * record Change(String bookId, boolean removed) {}
 * record Book(Change change, String title, List<String> genres, boolean missing) {}
 *
 * final class BookMapper implements EnrichmentMapper<Change, Book> {
 *     public boolean needsLookup(Change c) { return !c.removed(); }
 *     public Book withoutLookup(Change c) { return new Book(c, null, List.of(), false); }
 *     public Book found(Change c, CatalogRow row) {
 *         return new Book(c, row.getString("title"), row.getStringList("genres"), false);
 *     }
 *     public Book missing(Change c) { return new Book(c, null, List.of(), true); }
 *     public boolean isMissing(Book b) { return b.missing(); }
 * }
 * }</pre>
 *
 * @param <IN>  input type
 * @param <OUT> output type
 */
public interface EnrichmentMapper<IN, OUT> extends Serializable {

    /**
     * Builds the output of an input whose row was found.
     *
     * @param input the input
     * @param row   its catalog row
     * @return the output, not null
     * @throws Exception if the row cannot be mapped; the job fails with it
     */
    OUT found(IN input, CatalogRow row) throws Exception;

    /**
     * Builds the output of an input whose row is missing. Outputs built here must satisfy {@link #isMissing}.
     *
     * @param input the input
     * @return the output, not null
     */
    OUT missing(IN input);

    /**
     * Tells whether an output stands for a missing row; such outputs are retried while retries remain.
     *
     * @param output an output of this mapper
     * @return true for outputs built by {@link #missing}
     */
    boolean isMissing(OUT output);

    /**
     * Tells whether an input needs its row at all (say, a removal does not). Defaults to true.
     *
     * @param input the input
     * @return false to emit {@link #withoutLookup} at once, without a query
     */
    default boolean needsLookup(IN input) {
        return true;
    }

    /**
     * Builds the output of an input that needs no lookup. Such outputs must not satisfy {@link #isMissing}, or they
     * would be retried.
     *
     * @param input an input for which {@link #needsLookup} returned false
     * @return the output, not null
     */
    default OUT withoutLookup(IN input) {
        throw new UnsupportedOperationException(getClass().getName() + ".needsLookup returned false, but the mapper "
                + "does not implement withoutLookup");
    }
}
