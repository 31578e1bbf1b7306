package io.shelfstream.schemas;

/**
 * Why a record went to the dead-letter topic; the wire name is what the dead-letter record carries.
 *
 * <p>Wire names are part of the published contract (dashboards, alerts and replay tools match on them): they never
 * change once released, and new reasons are only ever added. When a record has several problems, the parser reports
 * the first one in this order: {@link #TOO_LARGE}, {@link #NOT_UTF8}, {@link #NOT_JSON} / {@link #TOO_DEEP} /
 * {@link #DUPLICATE_FIELD} (whichever the reader meets first), {@link #NOT_AN_OBJECT}, then the fields in the order
 * {@code event_type}, {@code event_id}, {@code occurred_at}, ids.
 */
public enum DeadLetterReason {
    /** The value is not valid UTF-8. */
    NOT_UTF8("not_utf8"),
    /** The value is not one JSON text: a syntax error, trailing content, an empty or absent value, a byte
     * order mark. */
    NOT_JSON("not_json"),
    /** The value is JSON, but not a JSON object. */
    NOT_AN_OBJECT("not_an_object"),
    /** {@code event_type} is a string this topic does not define. */
    UNKNOWN_EVENT_TYPE("unknown_event_type"),
    /** A required field is absent or {@code null}. */
    MISSING_FIELD("missing_field"),
    /** An id ({@code event_id} or an entity id) is not a string of 1 to 128 characters without control characters. */
    MALFORMED_ID("malformed_id"),
    /** A field has the wrong JSON type or format, e.g. a number for {@code event_type}, a non-ISO-8601 time. */
    WRONG_TYPE("wrong_type"),
    /** The value is larger than the configured limit, or one JSON value in it exceeds the reader's limits. */
    TOO_LARGE("too_large"),
    /** The book or student named by an event has no row in the catalog. */
    CATALOG_ROW_MISSING("catalog_row_missing"),
    /** Objects or arrays nested deeper than {@link EventParser#MAX_NESTING_DEPTH}. */
    TOO_DEEP("too_deep"),
    /** An object names the same field twice, so which value counts would be ambiguous. */
    DUPLICATE_FIELD("duplicate_field"),
    /** A {@code checkout_created} whose book has no vector: the book was removed, or its vector did not come
     * within the configured wait. The dead letter carries the event re-serialised ({@code occurred_at} to the
     * millisecond) and the checkout's source position. */
    BOOK_VECTOR_MISSING("book_vector_missing");

    private final String wireName;

    DeadLetterReason(String wireName) {
        this.wireName = wireName;
    }

    /** The reason as written into the dead-letter record. */
    public String wireName() {
        return wireName;
    }

    /**
     * True for the reasons {@link EventParser} gives; false for those the pipeline gives later, to a valid event
     * ({@link #CATALOG_ROW_MISSING}, {@link #BOOK_VECTOR_MISSING}).
     */
    public boolean isParserReason() {
        return this != CATALOG_ROW_MISSING && this != BOOK_VECTOR_MISSING;
    }

    /** The reason with the given wire name, or {@code null} when there is none. */
    public static DeadLetterReason fromWireName(String name) {
        for (DeadLetterReason r : values()) {
            if (r.wireName.equals(name)) {
                return r;
            }
        }
        return null;
    }
}
