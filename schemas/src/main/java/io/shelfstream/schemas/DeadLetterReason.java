package io.shelfstream.schemas;

/** Why a record went to the dead-letter topic; the wire name is what the dead-letter record carries. */
public enum DeadLetterReason {
    NOT_UTF8("not_utf8"),
    NOT_JSON("not_json"),
    NOT_AN_OBJECT("not_an_object"),
    UNKNOWN_EVENT_TYPE("unknown_event_type"),
    MISSING_FIELD("missing_field"),
    MALFORMED_ID("malformed_id"),
    WRONG_TYPE("wrong_type"),
    TOO_LARGE("too_large"),
    CATALOG_ROW_MISSING("catalog_row_missing");

    private final String wireName;

    DeadLetterReason(String wireName) {
        this.wireName = wireName;
    }

    /** The reason as written into the dead-letter record. */
    public String wireName() {
        return wireName;
    }
}
