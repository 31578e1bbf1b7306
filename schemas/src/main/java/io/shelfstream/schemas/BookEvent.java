package io.shelfstream.schemas;

import java.time.Instant;
import java.util.List;

/**
 * One event of the {@code books} topic: a book (or, for batch events, several books) added, updated or removed.
 *
 * <p>Single events carry {@code book_id}, batch events {@code book_ids}; both are normalised to {@link #bookIds()}
 * (never empty). {@link EventJson} writes one id as {@code book_id} and several as {@code book_ids}. Catalog
 * fields are not part of the event: the job reads them from PostgreSQL.
 *
 * <pre>{@code
 * {"event_id":"7c0e...","event_type":"book_added","occurred_at":"2026-09-01T08:00:00Z","book_ids":["b-1","b-2"]}
 * }</pre>
 *
 * @param eventId    unique id of the event, as written upstream
 * @param eventType  what happened
 * @param occurredAt when it happened upstream
 * @param bookIds    the books the event is about, in event order
 */
public record BookEvent(String eventId, BookEventType eventType, Instant occurredAt, List<String> bookIds)
        implements LibraryEvent {

    /** Checks the contract: valid ids, a time in the years 0000-9999, at least one book. */
    public BookEvent {
        EventFields.requireId("eventId", eventId);
        if (eventType == null) {
            throw new NullPointerException("eventType");
        }
        EventFields.requireTime(occurredAt);
        bookIds = List.copyOf(bookIds);
        if (bookIds.isEmpty()) {
            throw new IllegalArgumentException("a book event names at least one book");
        }
        for (String id : bookIds) {
            EventFields.requireId("bookIds[]", id);
        }
    }

    /** A single-book event. */
    public static BookEvent of(String eventId, BookEventType eventType, Instant occurredAt, String bookId) {
        return new BookEvent(eventId, eventType, occurredAt, List.of(bookId));
    }

    @Override
    public EventTopic topic() {
        return EventTopic.BOOKS;
    }

    /** The first book's id: a batch event is keyed by the first book it names. */
    @Override
    public String key() {
        return bookIds.get(0);
    }

    /** The kinds of {@code books} events, with their wire names. */
    public enum BookEventType implements LibraryEvent.Type {
        BOOK_ADDED("book_added"),
        BOOK_UPDATED("book_updated"),
        BOOK_REMOVED("book_removed");

        private final String wireName;

        BookEventType(String wireName) {
            this.wireName = wireName;
        }

        @Override
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
