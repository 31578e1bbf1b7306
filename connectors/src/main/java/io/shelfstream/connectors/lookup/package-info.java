/**
 * Asynchronous, batched enrichment of Flink records from a PostgreSQL catalog: {@link
 * io.shelfstream.connectors.lookup.JdbcEnrichmentFunction} with its {@link
 * io.shelfstream.connectors.lookup.JdbcEnrichmentOptions}, {@link io.shelfstream.connectors.lookup.CatalogTable}
 * column mapping and {@link io.shelfstream.connectors.lookup.EnrichmentMapper}.
 */
package io.shelfstream.connectors.lookup;
