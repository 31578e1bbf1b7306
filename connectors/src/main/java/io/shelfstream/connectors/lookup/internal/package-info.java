/**
 * Implementation of the catalog lookup: batching and per-key order ({@link
 * io.shelfstream.connectors.lookup.internal.LookupCoordinator}), the JDBC backend, error classification and metrics.
 * Not a stable API.
 */
package io.shelfstream.connectors.lookup.internal;
