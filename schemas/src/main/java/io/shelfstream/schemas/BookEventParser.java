package io.shelfstream.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Parses the value of a {@code books} record into a {@link BookEvent}, rejecting anything the contract does not
 * allow with a specific {@link DeadLetterReason}. Never throws on bad input.
 *
 * <p>Thread-safe.
 */
public final class BookEventParser {

    /** Default upper bound of a record value, in bytes. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int maxRecordBytes;

    /** A parser with {@link #DEFAULT_MAX_RECORD_BYTES}. */
    public BookEventParser() {
        this(DEFAULT_MAX_RECORD_BYTES);
    }

    /** A parser that rejects values larger than {@code maxRecordBytes}. */
    public BookEventParser(int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Parses one record value. */
    public ParseResult<BookEvent> parse(byte[] value) {
        if (value == null) {
            return ParseResult.rejected(DeadLetterReason.NOT_JSON, "record has no value");
        }
        if (value.length > maxRecordBytes) {
            return ParseResult.rejected(DeadLetterReason.TOO_LARGE,
                    "record is " + value.length + " bytes, the limit is " + maxRecordBytes);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
        } catch (CharacterCodingException e) {
            return ParseResult.rejected(DeadLetterReason.NOT_UTF8, "record value is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return ParseResult.rejected(DeadLetterReason.NOT_JSON, e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return ParseResult.rejected(DeadLetterReason.NOT_AN_OBJECT, "record value is not a JSON object");
        }
        JsonNode type = root.get("event_type");
        if (type == null || type.isNull()) {
            return ParseResult.rejected(DeadLetterReason.MISSING_FIELD, "event_type is missing");
        }
        if (!type.isTextual()) {
            return ParseResult.rejected(DeadLetterReason.WRONG_TYPE, "event_type must be a string");
        }
        BookEvent.BookEventType eventType = BookEvent.BookEventType.fromWireName(type.asText());
        if (eventType == null) {
            return ParseResult.rejected(DeadLetterReason.UNKNOWN_EVENT_TYPE,
                    "unknown event_type '" + type.asText() + "' for topic books");
        }
        JsonNode eventId = root.get("event_id");
        if (eventId == null || eventId.isNull()) {
            return ParseResult.rejected(DeadLetterReason.MISSING_FIELD, "event_id is missing");
        }
        if (!eventId.isTextual() || eventId.asText().isBlank()) {
            return ParseResult.rejected(DeadLetterReason.MALFORMED_ID, "event_id must be a non-empty string");
        }
        Instant occurredAt;
        JsonNode occurred = root.get("occurred_at");
        if (occurred == null || occurred.isNull()) {
            return ParseResult.rejected(DeadLetterReason.MISSING_FIELD, "occurred_at is missing");
        }
        try {
            occurredAt = Instant.parse(occurred.asText());
        } catch (DateTimeParseException e) {
            return ParseResult.rejected(DeadLetterReason.WRONG_TYPE,
                    "occurred_at must be an ISO-8601 instant, got '" + occurred.asText() + "'");
        }
        List<String> ids = new ArrayList<>();
        JsonNode single = root.get("book_id");
        JsonNode batch = root.get("book_ids");
        if (single != null && !single.isNull()) {
            String problem = checkId(single, "book_id");
            if (problem != null) {
                return ParseResult.rejected(DeadLetterReason.MALFORMED_ID, problem);
            }
            ids.add(single.asText());
        }
        if (batch != null && !batch.isNull()) {
            if (!batch.isArray()) {
                return ParseResult.rejected(DeadLetterReason.WRONG_TYPE, "book_ids must be an array of strings");
            }
            for (JsonNode id : batch) {
                String problem = checkId(id, "book_ids[]");
                if (problem != null) {
                    return ParseResult.rejected(DeadLetterReason.MALFORMED_ID, problem);
                }
                ids.add(id.asText());
            }
        }
        if (ids.isEmpty()) {
            return ParseResult.rejected(DeadLetterReason.MISSING_FIELD, "book_id or a non-empty book_ids is required");
        }
        return ParseResult.ok(new BookEvent(eventId.asText(), eventType, occurredAt, ids));
    }

    /** Ids are non-empty strings of at most 128 printable characters. */
    private static String checkId(JsonNode id, String field) {
        if (!id.isTextual()) {
            return field + " must be a string";
        }
        String s = id.asText();
        if (s.isEmpty() || s.length() > 128) {
            return field + " must have 1 to 128 characters, got " + s.length();
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return field + " contains a control character at index " + i;
            }
        }
        return null;
    }
}
