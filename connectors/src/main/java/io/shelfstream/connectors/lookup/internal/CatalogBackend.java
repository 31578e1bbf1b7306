package io.shelfstream.connectors.lookup.internal;

import java.util.List;
import java.util.Map;

import io.shelfstream.connectors.lookup.CatalogRow;

/**
 * Reads catalog rows by id, one round trip per call. {@link JdbcCatalogBackend} is the production implementation;
 * tests use fakes.
 *
 * <p>Calls come from the lookup's I/O threads, several at once (never two with a common id), and may block.
 */
public interface CatalogBackend extends AutoCloseable {

    /**
     * Reads the rows of the given ids in one round trip.
     *
     * @param ids distinct ids in their text form, not empty
     * @return the rows found, by id; ids without a row are absent
     * @throws Exception if the read failed; {@link TransientErrors} decides whether it is retried
     */
    Map<String, CatalogRow> fetch(List<String> ids) throws Exception;

    /** Releases connections; the backend is not used afterwards. */
    @Override
    void close();
}
