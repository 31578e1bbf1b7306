package io.shelfstream.connectors.lookup.internal;

import java.io.Serializable;

import io.shelfstream.connectors.lookup.CatalogTable;
import io.shelfstream.connectors.lookup.JdbcEnrichmentOptions;

/** Creates the {@link CatalogBackend} of one lookup subtask when it opens; shipped with the function. */
@FunctionalInterface
public interface CatalogBackendFactory extends Serializable {

    /**
     * Creates a backend. Must not connect on the calling thread (the task thread): connections are made lazily or
     * in the background.
     *
     * @param table   the table mapping
     * @param options the lookup options (connection settings among them)
     * @param name    a name for the backend's resources, unique per subtask, e.g. {@code shelfstream-catalog-books-0}
     * @return the backend
     */
    CatalogBackend create(CatalogTable table, JdbcEnrichmentOptions options, String name);
}
