package io.shelfstream.connectors.testutils;

/**
 * A {@link LookupEvent} with the title of its catalog row, for lookup tests.
 *
 * @param event   the event
 * @param title   the row's {@code title}, null when missing or skipped
 * @param missing whether the row was missing
 */
public record EnrichedEvent(LookupEvent event, String title, boolean missing) {
}
