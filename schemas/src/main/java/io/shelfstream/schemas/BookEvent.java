package io.shelfstream.schemas;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One event of the {@code books} topic: a book (or, for batch events, several books) added, updated or removed.
 *
 * <p>Single events carry {@code book_id}, batch events {@code book_ids}; both are normalised to {@link #bookIds()}
 * (never empty). Catalog fields are not part of the event: the job reads them from PostgreSQL.
 *
 * @param eventId    unique id of the event, as written upstream
 * @param eventType  what happened
 * @param occurredAt when it happened upstream
 * @param bookIds    the books the event is about, in event order
 */
public record BookEvent(String eventId, BookEventType eventType, Instant occurredAt, List<String> bookIds) {

    public BookEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(occurredAt, "occurredAt");
        bookIds = List.copyOf(bookIds);
        if (bookIds.isEmpty()) {
            throw new IllegalArgumentException("a book event names at least one book");
        }
    }

    /** The kinds of {@code books} events, with their wire names. */
    public enum BookEventType {
        BOOK_ADDED("book_added"),
        BOOK_UPDATED("book_updated"),
        BOOK_REMOVED("book_removed");

        private final String wireName;

        BookEventType(String wireName) {
            this.wireName = wireName;
        }

        /** The value of {@code event_type} on the wire. */
        public String wireName() {
            return wireName;
        }

        /** The type with the given wire name, or {@code null} when there is none. */
        public static BookEventType fromWireName(String name) {
            for (BookEventType t : values()) {
                if (t.wireName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }
}
