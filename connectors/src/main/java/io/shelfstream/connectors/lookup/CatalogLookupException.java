package io.shelfstream.connectors.lookup;

/**
 * A catalog lookup that failed, and whether trying it again may succeed.
 *
 * <p>Retryable failures are the transient kind: the database cannot be reached, a connection broke, the server is
 * shutting down or out of resources, no pooled connection came in time, a serialization conflict. A
 * {@link JdbcEnrichmentFunction} retries those with backoff and fails the job once its retries are spent, so the job
 * restarts from its last checkpoint and loses nothing. Anything else (a column that does not exist, a permission
 * error, a mapper that throws) fails the job at once: retrying would not help.
 */
public final class CatalogLookupException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    /**
     * Creates the exception.
     *
     * @param message   what failed
     * @param retryable whether another attempt may succeed
     * @param cause     the underlying error, may be null
     */
    public CatalogLookupException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /**
     * Tells whether another attempt may succeed.
     *
     * @return true for transient failures
     */
    public boolean isRetryable() {
        return retryable;
    }

    /**
     * Tells whether a failure is a retryable catalog lookup failure: the first {@link CatalogLookupException} in its
     * cause chain decides; anything else is not retryable.
     *
     * @param error a failure, may be null
     * @return true if it is, or wraps, a retryable {@link CatalogLookupException}
     */
    public static boolean isRetryable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CatalogLookupException lookup) {
                return lookup.retryable;
            }
        }
        return false;
    }
}
