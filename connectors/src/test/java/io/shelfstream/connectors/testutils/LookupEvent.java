package io.shelfstream.connectors.testutils;

/**
 * An event that names a catalog row, for lookup tests.
 *
 * @param key the row id
 * @param seq the event's position in its test, to check order
 */
public record LookupEvent(String key, long seq) {
}
