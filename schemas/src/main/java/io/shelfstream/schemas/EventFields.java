package io.shelfstream.schemas;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The field names of the event contract and the rules every id and time follows; the JSON Schemas in
 * {@code io/shelfstream/schemas/json/} state the same rules.
 *
 * <ul>
 *   <li>An id ({@code event_id}, {@code book_id}, {@code student_id}, {@code checkout_id}) is a string of 1 to
 *       {@value #MAX_ID_LENGTH} characters (Unicode code points), without control characters (U+0000-U+001F,
 *       U+007F-U+009F) or unpaired surrogates (a lone {@code \uD800} escape), and not only spaces.</li>
 *   <li>{@code occurred_at} is an RFC 3339 / ISO-8601 time with seconds (hours 00-23, no leap second), an optional
 *       fraction of up to nine digits and {@code Z} or a {@code +hh:mm} offset within 18 hours (not
 *       {@code -00:00}), e.g. {@code 2026-09-01T08:15:00Z} or {@code 2026-09-01T10:15:00.250+02:00}, that falls in
 *       the years 0000-9999 in UTC.</li>
 * </ul>
 */
public final class EventFields {

    public static final String EVENT_ID = "event_id";
    public static final String EVENT_TYPE = "event_type";
    public static final String OCCURRED_AT = "occurred_at";
    public static final String BOOK_ID = "book_id";
    public static final String BOOK_IDS = "book_ids";
    public static final String STUDENT_ID = "student_id";
    public static final String CHECKOUT_ID = "checkout_id";

    /** Longest id, in Unicode code points. */
    public static final int MAX_ID_LENGTH = 128;

    /**
     * As in the schemas: hours 00-23 and seconds 00-59 (no 24:00, no leap second), offsets within +/-18:00 and not
     * {@code -00:00} (RFC 3339's "offset unknown", which common validators reject).
     */
    private static final Pattern TIME = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}"
            + "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?"
            + "(Z|(?!-00:00)[+-](0[0-9]|1[0-7]):[0-5][0-9]|[+-]18:00)");
    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private EventFields() {
    }

    /** Whether {@code id} is a valid id. */
    public static boolean isValidId(String id) {
        return id != null && idProblem("id", id) == null;
    }

    /** What is wrong with an id, or {@code null} when it is valid. */
    static String idProblem(String field, String id) {
        int length = id.codePointCount(0, id.length());
        if (length < 1 || length > MAX_ID_LENGTH) {
            return field + " must have 1 to " + MAX_ID_LENGTH + " characters, got " + length;
        }
        boolean onlySpaces = true;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isISOControl(c)) {
                return field + " contains a control character at index " + i;
            }
            // a JSON escape can spell half a surrogate pair; encoded to UTF-8 (point ids, the catalog lookup) it
            // would turn into '?' and name another entity
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return field + " contains an unpaired surrogate at index " + i;
            }
            onlySpaces &= c == ' ';
        }
        return onlySpaces ? field + " must not be blank" : null;
    }

    /** Parses {@code occurred_at}; {@code null} when the text does not follow the contract. */
    static Instant parseTime(String text) {
        if (!TIME.matcher(text).matches()) {
            return null;
        }
        try {
            Instant at = Instant.parse(text);
            return at.isBefore(EARLIEST) || at.isAfter(LATEST) ? null : at;
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** Checks an id given to an event's constructor. */
    static String requireId(String field, String id) {
        if (id == null) {
            throw new NullPointerException(field);
        }
        String problem = idProblem(field, id);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return id;
    }

    /** Checks a time given to an event's constructor: RFC 3339 has four-digit years. */
    static Instant requireTime(Instant occurredAt) {
        if (occurredAt == null) {
            throw new NullPointerException("occurredAt");
        }
        if (occurredAt.isBefore(EARLIEST) || occurredAt.isAfter(LATEST)) {
            throw new IllegalArgumentException("occurredAt must be in the years 0000 to 9999, got " + occurredAt);
        }
        return occurredAt;
    }
}
