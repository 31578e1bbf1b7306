package io.shelfstream.schemas;

import java.time.Instant;

/**
 * One event of the {@code checkouts} topic: a student checked a book out, or returned it.
 *
 * <pre>{@code
 * {"event_id":"9a2c...","event_type":"checkout_created","occurred_at":"2026-09-01T08:03:12Z",
 *  "checkout_id":"c-1001","student_id":"s-42","book_id":"b-7"}
 * }</pre>
 *
 * @param eventId    unique id of the event, as written upstream
 * @param eventType  what happened
 * @param occurredAt when it happened upstream
 * @param checkoutId the checkout (a created and its returned event share it)
 * @param studentId  the student
 * @param bookId     the book
 */
public record CheckoutEvent(
        String eventId,
        CheckoutEventType eventType,
        Instant occurredAt,
        String checkoutId,
        String studentId,
        String bookId) implements LibraryEvent {

    /** Checks the contract: valid ids and a time in the years 0000-9999. */
    public CheckoutEvent {
        EventFields.requireId("eventId", eventId);
        if (eventType == null) {
            throw new NullPointerException("eventType");
        }
        EventFields.requireTime(occurredAt);
        EventFields.requireId("checkoutId", checkoutId);
        EventFields.requireId("studentId", studentId);
        EventFields.requireId("bookId", bookId);
    }

    @Override
    public EventTopic topic() {
        return EventTopic.CHECKOUTS;
    }

    /** The checkout id, so a checkout's created and returned events share a partition and keep their order. */
    @Override
    public String key() {
        return checkoutId;
    }

    /** The kinds of {@code checkouts} events, with their wire names. */
    public enum CheckoutEventType implements LibraryEvent.Type {
        CHECKOUT_CREATED("checkout_created"),
        CHECKOUT_RETURNED("checkout_returned");

        private final String wireName;

        CheckoutEventType(String wireName) {
            this.wireName = wireName;
        }

        @Override
        public String wireName() {
            return wireName;
        }

        /** The type with the given wire name, or {@code null} when there is none. */
        public static CheckoutEventType fromWireName(String name) {
            for (CheckoutEventType t : values()) {
                if (t.wireName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }
}
