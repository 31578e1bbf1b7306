package io.shelfstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BookEventParserTest {

    private final BookEventParser parser = new BookEventParser(2048);

    private ParseResult<BookEvent> parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesSingleBookEvent() {
        ParseResult<BookEvent> r = parse(
                "{\"event_id\":\"e1\",\"event_type\":\"book_updated\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"book_id\":\"b-1\"}");
        assertThat(r.isOk()).isTrue();
        assertThat(r.value().eventType()).isEqualTo(BookEvent.BookEventType.BOOK_UPDATED);
        assertThat(r.value().bookIds()).containsExactly("b-1");
        assertThat(r.value().occurredAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    }

    @Test
    void parsesBatchBookEventInOrder() {
        ParseResult<BookEvent> r = parse(
                "{\"event_id\":\"e2\",\"event_type\":\"book_added\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"book_ids\":[\"b-2\",\"b-1\"]}");
        assertThat(r.value().bookIds()).isEqualTo(List.of("b-2", "b-1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not json at all|NOT_JSON",
        "[1,2]|NOT_AN_OBJECT",
        "{\"event_id\":\"e\",\"event_type\":\"book_burned\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"book_id\":\"b\"}|UNKNOWN_EVENT_TYPE",
        "{\"event_id\":\"e\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"book_id\":\"b\"}|MISSING_FIELD",
        "{\"event_id\":\"e\",\"event_type\":\"book_added\",\"occurred_at\":\"2026-01-02T03:04:05Z\"}|MISSING_FIELD",
        "{\"event_id\":\"e\",\"event_type\":\"book_added\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"book_id\":7}|MALFORMED_ID",
        "{\"event_id\":\"e\",\"event_type\":\"book_added\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"book_id\":\"\"}|MALFORMED_ID",
        "{\"event_id\":\"e\",\"event_type\":\"book_added\",\"occurred_at\":\"yesterday\",\"book_id\":\"b\"}|WRONG_TYPE",
        "{\"event_id\":\"e\",\"event_type\":5,\"occurred_at\":\"2026-01-02T03:04:05Z\",\"book_id\":\"b\"}|WRONG_TYPE",
        "{\"event_id\":\"e\",\"event_type\":\"book_added\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"book_ids\":\"b\"}|WRONG_TYPE",
    })
    void rejectsWithSpecificReason(String json, DeadLetterReason reason) {
        ParseResult<BookEvent> r = parse(json);
        assertThat(r.isOk()).isFalse();
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.detail()).isNotBlank();
    }

    @Test
    void rejectsInvalidUtf8AndOversizedRecords() {
        assertThat(parser.parse(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}).reason())
                .isEqualTo(DeadLetterReason.NOT_UTF8);
        assertThat(parser.parse(new byte[4096]).reason()).isEqualTo(DeadLetterReason.TOO_LARGE);
    }

    @Test
    void rejectsIdsWithControlCharacters() {
        ParseResult<BookEvent> r = parse(
                "{\"event_id\":\"e\",\"event_type\":\"book_added\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"book_id\":\"a\\u0001b\"}");
        assertThat(r.reason()).isEqualTo(DeadLetterReason.MALFORMED_ID);
    }
}
