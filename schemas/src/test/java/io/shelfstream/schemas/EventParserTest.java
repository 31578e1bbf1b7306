package io.shelfstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.shelfstream.schemas.BookEvent.BookEventType;
import io.shelfstream.schemas.CheckoutEvent.CheckoutEventType;
import io.shelfstream.schemas.StudentEvent.StudentEventType;

class EventParserTest {

    static final int LIMIT = 4096;
    static final String AT = "\"occurred_at\":\"2026-09-01T08:15:00Z\"";

    private static final EventParser<BookEvent> BOOKS = EventParser.books(LIMIT);
    private static final EventParser<StudentEvent> STUDENTS = EventParser.students(LIMIT);
    private static final EventParser<CheckoutEvent> CHECKOUTS = EventParser.checkouts(LIMIT);

    static String book(String type, String ids) {
        return "{\"event_id\":\"e-1\",\"event_type\":\"" + type + "\"," + AT + "," + ids + "}";
    }

    static String student(String type) {
        return "{\"event_id\":\"e-2\",\"event_type\":\"" + type + "\"," + AT + ",\"student_id\":\"s-7\"}";
    }

    static String checkout(String type) {
        return "{\"event_id\":\"e-3\",\"event_type\":\"" + type + "\"," + AT
                + ",\"checkout_id\":\"c-9\",\"student_id\":\"s-7\",\"book_id\":\"b-4\"}";
    }

    @Test
    void parsesEveryBookEventTypeSingleAndBatch() {
        for (BookEventType type : BookEventType.values()) {
            BookEvent single = BOOKS.parse(bytes(book(type.wireName(), "\"book_id\":\"b-1\""))).value();
            assertThat(single).isEqualTo(new BookEvent("e-1", type, Instant.parse("2026-09-01T08:15:00Z"),
                    List.of("b-1")));
            BookEvent batch = BOOKS.parse(bytes(book(type.wireName(), "\"book_ids\":[\"b-3\",\"b-1\",\"b-2\"]")))
                    .value();
            assertThat(batch.bookIds()).containsExactly("b-3", "b-1", "b-2");
            assertThat(batch.eventType()).isEqualTo(type);
        }
    }

    @Test
    void parsesEveryStudentEventType() {
        for (StudentEventType type : StudentEventType.values()) {
            assertThat(STUDENTS.parse(bytes(student(type.wireName()))).value()).isEqualTo(
                    new StudentEvent("e-2", type, Instant.parse("2026-09-01T08:15:00Z"), "s-7"));
        }
    }

    @Test
    void parsesEveryCheckoutEventType() {
        for (CheckoutEventType type : CheckoutEventType.values()) {
            assertThat(CHECKOUTS.parse(bytes(checkout(type.wireName()))).value()).isEqualTo(
                    new CheckoutEvent("e-3", type, Instant.parse("2026-09-01T08:15:00Z"), "c-9", "s-7", "b-4"));
        }
    }

    @Test
    void acceptsWhatTheContractAllows() {
        // both book_id and book_ids: all named, single first
        assertThat(BOOKS.parse(bytes(book("book_added", "\"book_id\":\"b-1\",\"book_ids\":[\"b-2\"]"))).value()
                .bookIds()).containsExactly("b-1", "b-2");
        // null counts as absent
        assertThat(BOOKS.parse(bytes(book("book_added", "\"book_id\":null,\"book_ids\":[\"b-2\"]"))).value()
                .bookIds()).containsExactly("b-2");
        // unknown fields, nested a little, are ignored
        assertThat(STUDENTS.parse(bytes("{\"event_id\":\"e\",\"event_type\":\"student_added\"," + AT
                + ",\"student_id\":\"s\",\"source\":{\"system\":\"sis\",\"tags\":[1,2.5,true,null]}}")).isOk())
                .isTrue();
        // offsets and fractions of a second; converted to UTC
        assertThat(STUDENTS.parse(bytes("{\"event_id\":\"e\",\"event_type\":\"student_added\","
                + "\"occurred_at\":\"2026-09-01T10:15:00.123456789+02:00\",\"student_id\":\"s\"}")).value()
                .occurredAt()).isEqualTo(Instant.parse("2026-09-01T08:15:00.123456789Z"));
        // ids: 128 code points (astral characters count once), spaces inside, non-ASCII
        String longId = "\uD83D\uDCDA".repeat(128);
        assertThat(STUDENTS.parse(bytes("{\"event_id\":\"e\",\"event_type\":\"student_added\"," + AT
                + ",\"student_id\":\"" + longId + "\"}")).value().studentId()).isEqualTo(longId);
        assertThat(STUDENTS.parse(bytes("{\"event_id\":\" e 1 \",\"event_type\":\"student_added\"," + AT
                + ",\"student_id\":\"Zo\u00eb M\u00fcller\"}")).isOk()).isTrue();
        // white space around the object
        assertThat(CHECKOUTS.parse(bytes("\n  " + checkout("checkout_returned") + " \r\n")).isOk()).isTrue();
        // nesting at the limit is fine
        String deep = "[".repeat(EventParser.MAX_NESTING_DEPTH - 1) + "]".repeat(EventParser.MAX_NESTING_DEPTH - 1);
        assertThat(STUDENTS.parse(bytes(student("student_added").replace("}", ",\"x\":" + deep + "}"))).isOk())
                .isTrue();
    }

    /** At least 20 distinct malformed inputs; each asserts the exact reason. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                // not_json
                bad(EventTopic.BOOKS, "not json at all", DeadLetterReason.NOT_JSON),
                bad(EventTopic.BOOKS, "", DeadLetterReason.NOT_JSON),
                bad(EventTopic.BOOKS, "   ", DeadLetterReason.NOT_JSON),
                bad(EventTopic.STUDENTS, "{\"event_id\":\"e\"", DeadLetterReason.NOT_JSON),
                bad(EventTopic.STUDENTS, "{'event_id':'e'}", DeadLetterReason.NOT_JSON),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace("}", ",}"), DeadLetterReason.NOT_JSON),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created") + checkout("checkout_created"),
                        DeadLetterReason.NOT_JSON),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created") + " trailing", DeadLetterReason.NOT_JSON),
                bad(EventTopic.STUDENTS, "\uFEFF" + student("student_added"), DeadLetterReason.NOT_JSON),
                bad(EventTopic.STUDENTS, student("student_added").replace("}", ",\"score\":NaN}"),
                        DeadLetterReason.NOT_JSON),
                bad(EventTopic.BOOKS, "{event_id:\"e\"}", DeadLetterReason.NOT_JSON),
                // not_an_object
                bad(EventTopic.BOOKS, "[1,2]", DeadLetterReason.NOT_AN_OBJECT),
                bad(EventTopic.STUDENTS, "\"student_added\"", DeadLetterReason.NOT_AN_OBJECT),
                bad(EventTopic.CHECKOUTS, "42", DeadLetterReason.NOT_AN_OBJECT),
                bad(EventTopic.CHECKOUTS, "null", DeadLetterReason.NOT_AN_OBJECT),
                // unknown_event_type
                bad(EventTopic.BOOKS, book("book_burned", "\"book_id\":\"b\""), DeadLetterReason.UNKNOWN_EVENT_TYPE),
                bad(EventTopic.BOOKS, book("student_added", "\"book_id\":\"b\""), DeadLetterReason.UNKNOWN_EVENT_TYPE),
                bad(EventTopic.STUDENTS, student("STUDENT_ADDED"), DeadLetterReason.UNKNOWN_EVENT_TYPE),
                bad(EventTopic.CHECKOUTS, checkout(""), DeadLetterReason.UNKNOWN_EVENT_TYPE),
                bad(EventTopic.CHECKOUTS, checkout("checkout_renewed"), DeadLetterReason.UNKNOWN_EVENT_TYPE),
                // missing_field
                bad(EventTopic.BOOKS, "{}", DeadLetterReason.MISSING_FIELD),
                bad(EventTopic.BOOKS, book("book_added", "\"x\":1"), DeadLetterReason.MISSING_FIELD),
                bad(EventTopic.BOOKS, book("book_added", "\"book_ids\":[]"), DeadLetterReason.MISSING_FIELD),
                bad(EventTopic.BOOKS, book("book_added", "\"book_id\":null"), DeadLetterReason.MISSING_FIELD),
                bad(EventTopic.STUDENTS, student("student_added").replace(",\"student_id\":\"s-7\"", ""),
                        DeadLetterReason.MISSING_FIELD),
                bad(EventTopic.STUDENTS, student("student_added").replace("\"event_id\":\"e-2\",", ""),
                        DeadLetterReason.MISSING_FIELD),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(AT + ",", ""),
                        DeadLetterReason.MISSING_FIELD),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace("\"c-9\"", "null"),
                        DeadLetterReason.MISSING_FIELD),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(",\"book_id\":\"b-4\"", ""),
                        DeadLetterReason.MISSING_FIELD),
                bad(EventTopic.STUDENTS, student("student_added").replace("\"student_added\"", "null"),
                        DeadLetterReason.MISSING_FIELD),
                // malformed_id
                bad(EventTopic.BOOKS, book("book_added", "\"book_id\":7"), DeadLetterReason.MALFORMED_ID),
                bad(EventTopic.BOOKS, book("book_added", "\"book_id\":\"\""), DeadLetterReason.MALFORMED_ID),
                bad(EventTopic.BOOKS, book("book_added", "\"book_ids\":[\"b-1\",7]"), DeadLetterReason.MALFORMED_ID),
                bad(EventTopic.BOOKS, book("book_added", "\"book_ids\":[\"b-1\",null]"), DeadLetterReason.MALFORMED_ID),
                bad(EventTopic.STUDENTS, student("student_added").replace("\"s-7\"", "\"" + "s".repeat(129) + "\""),
                        DeadLetterReason.MALFORMED_ID),
                bad(EventTopic.STUDENTS, student("student_added").replace("\"s-7\"", "\"s-\\u0007\""),
                        DeadLetterReason.MALFORMED_ID),
                bad(EventTopic.STUDENTS, student("student_added").replace("\"s-7\"", "\"   \""),
                        DeadLetterReason.MALFORMED_ID),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace("\"e-3\"", "{\"id\":1}"),
                        DeadLetterReason.MALFORMED_ID),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace("\"b-4\"", "[\"b-4\"]"),
                        DeadLetterReason.MALFORMED_ID),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace("\"s-7\"", "true"),
                        DeadLetterReason.MALFORMED_ID),
                // wrong_type
                bad(EventTopic.BOOKS, book("book_added", "\"book_ids\":\"b-1,b-2\""), DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.BOOKS, book("book_added", "\"book_ids\":{\"0\":\"b-1\"}"), DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.STUDENTS, student("student_added").replace("\"student_added\"", "3"),
                        DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.STUDENTS, student("student_added").replace("\"student_added\"", "[\"student_added\"]"),
                        DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(AT, "\"occurred_at\":\"yesterday\""),
                        DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(AT, "\"occurred_at\":1788250000000"),
                        DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(AT,
                        "\"occurred_at\":\"2026-09-01 08:15:00\""), DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(AT,
                        "\"occurred_at\":\"2026-02-30T08:15:00Z\""), DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(AT,
                        "\"occurred_at\":\"2026-09-01T24:00:00Z\""), DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(AT,
                        "\"occurred_at\":\"2026-09-01T08:15Z\""), DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(AT,
                        "\"occurred_at\":\"2026-09-01t08:15:00z\""), DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace(AT,
                        "\"occurred_at\":\"2026-09-01T08:15:00+19:00\""), DeadLetterReason.WRONG_TYPE),
                bad(EventTopic.STUDENTS, student("student_added").replace(AT, "\"occurred_at\":\"2026-09-01\""),
                        DeadLetterReason.WRONG_TYPE),
                // duplicate_field
                bad(EventTopic.STUDENTS, student("student_added").replace("{", "{\"event_type\":\"student_added\","),
                        DeadLetterReason.DUPLICATE_FIELD),
                bad(EventTopic.CHECKOUTS, checkout("checkout_created").replace("}", ",\"book_id\":\"b-5\"}"),
                        DeadLetterReason.DUPLICATE_FIELD),
                bad(EventTopic.BOOKS, book("book_added", "\"book_id\":\"b\",\"m\":{\"a\":1,\"a\":1}"),
                        DeadLetterReason.DUPLICATE_FIELD),
                // too_deep
                bad(EventTopic.STUDENTS, student("student_added").replace("}", ",\"x\":"
                        + "[".repeat(EventParser.MAX_NESTING_DEPTH) + "]".repeat(EventParser.MAX_NESTING_DEPTH) + "}"),
                        DeadLetterReason.TOO_DEEP),
                bad(EventTopic.BOOKS, "[".repeat(3_000), DeadLetterReason.TOO_DEEP),
                bad(EventTopic.CHECKOUTS, "{\"a\":".repeat(65) + "1" + "}".repeat(65), DeadLetterReason.TOO_DEEP),
                // too_large: the size limit, and a number longer than the reader allows
                bad(EventTopic.BOOKS, book("book_added", "\"book_id\":\"b\",\"notes\":\"" + "x".repeat(LIMIT) + "\""),
                        DeadLetterReason.TOO_LARGE),
                bad(EventTopic.STUDENTS, student("student_added").replace("}", ",\"n\":" + "9".repeat(1500) + "}"),
                        DeadLetterReason.TOO_LARGE));
    }

    private static Arguments bad(EventTopic topic, String value, DeadLetterReason reason) {
        return Arguments.of(topic, value, reason);
    }

    @ParameterizedTest(name = "[{index}] {0} {2}")
    @MethodSource("malformed")
    void rejectsWithTheExactReason(EventTopic topic, String value, DeadLetterReason reason) {
        ParseResult<? extends LibraryEvent> r = EventParser.forTopic(topic, LIMIT).parse(bytes(value));
        assertThat(r.isOk()).as("accepted: %s", value).isFalse();
        assertThat(r.reason()).as(r.detail()).isEqualTo(reason);
        assertThat(r.detail()).isNotBlank().hasSizeLessThan(300);
    }

    /**
     * A JSON escape can spell half a surrogate pair, which encodes to '?' in UTF-8: {@code b-\\ud800} would have
     * the point id of {@code b-?}, so its removal would delete another book. Such ids are malformed; an escaped whole
     * pair is the character it spells. (The JSON Schemas do not state this rule: regular expressions over UTF-16
     * halves differ between validators.)
     */
    @Test
    void rejectsHalfASurrogatePairInAnIdAndAcceptsAnEscapedWholePair() {
        for (String id : List.of("s-\\ud800", "s-\\udc00x", "\\udcda\\ud83d", "s-\\ud83d")) {
            ParseResult<StudentEvent> r = STUDENTS.parse(bytes(student("student_added").replace("\"s-7\"",
                    "\"" + id + "\"")));
            assertThat(r.reason()).as(id).isEqualTo(DeadLetterReason.MALFORMED_ID);
            assertThat(r.detail()).contains("unpaired surrogate");
        }
        assertThat(BOOKS.parse(bytes(book("book_removed", "\"book_id\":\"b-\\ud83d\\udcda\""))).value().bookIds())
                .containsExactly("b-\uD83D\uDCDA");
        assertThat(PointIds.book("b-\uD800")).as("why: the same point as b-?").isEqualTo(PointIds.book("b-?"));
    }

    @Test
    void rejectsBytesThatAreNotUtf8() {
        byte[][] inputs = {
            {'{', (byte) 0xC3, (byte) 0x28, '}'},                                   // bad continuation byte
            student("student_added").getBytes(StandardCharsets.UTF_16),              // UTF-16 with byte order mark
            student("student_added").replace("s-7", "s-\u00e9").getBytes(StandardCharsets.ISO_8859_1),
            {'"', (byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80, '"'}, // CESU-8
            {'"', (byte) 0xC0, (byte) 0xAF, '"'},                                   // overlong encoding of '/'
            {'"', (byte) 0xE2, (byte) 0x82, '"'},                                   // truncated sequence
            {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'},          // beyond U+10FFFF
        };
        for (byte[] input : inputs) {
            assertThat(STUDENTS.parse(input).reason()).isEqualTo(DeadLetterReason.NOT_UTF8);
        }
    }

    @Test
    void sizeLimitIsCheckedFirstAndIsInclusive() {
        byte[] exactly = new byte[LIMIT];
        java.util.Arrays.fill(exactly, (byte) ' ');
        assertThat(BOOKS.parse(exactly).reason()).isEqualTo(DeadLetterReason.NOT_JSON);
        byte[] over = new byte[LIMIT + 1];
        over[0] = (byte) 0xFF;
        assertThat(BOOKS.parse(over).reason()).isEqualTo(DeadLetterReason.TOO_LARGE);
    }

    @Test
    void recordWithoutValueIsNotJson() {
        assertThat(CHECKOUTS.parse(null).reason()).isEqualTo(DeadLetterReason.NOT_JSON);
    }

    @Test
    void firstProblemInContractOrderIsReported() {
        // unknown type and missing ids: the type is checked first
        assertThat(BOOKS.parse(bytes("{\"event_type\":\"x\"}")).reason())
                .isEqualTo(DeadLetterReason.UNKNOWN_EVENT_TYPE);
        // a duplicate field is found while reading, before any field is checked
        assertThat(BOOKS.parse(bytes("{\"a\":1,\"a\":2}")).reason()).isEqualTo(DeadLetterReason.DUPLICATE_FIELD);
    }

    @Test
    void detailsNameTheProblemAndBoundQuotedInput() {
        ParseResult<BookEvent> r = BOOKS.parse(bytes(book("student_added", "\"book_id\":\"b\"")));
        assertThat(r.detail()).contains("student_added").contains("students");
        ParseResult<StudentEvent> s = STUDENTS.parse(bytes(student("x".repeat(3000))));
        assertThat(s.reason()).isEqualTo(DeadLetterReason.UNKNOWN_EVENT_TYPE);
        assertThat(s.detail()).hasSizeLessThan(200);
    }

    @Test
    void everyReasonOfAParserIsCoveredAbove() {
        assertThat(malformed().map(a -> (DeadLetterReason) a.get()[2]).distinct())
                .containsExactlyInAnyOrder(java.util.Arrays.stream(DeadLetterReason.values())
                        .filter(r -> r.isParserReason() && r != DeadLetterReason.NOT_UTF8)
                        .toArray(DeadLetterReason[]::new));
        assertThat(malformed().count()).isGreaterThanOrEqualTo(20);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
