package io.shelfstream.schemas;

import static io.shelfstream.schemas.EventFields.BOOK_ID;
import static io.shelfstream.schemas.EventFields.BOOK_IDS;
import static io.shelfstream.schemas.EventFields.CHECKOUT_ID;
import static io.shelfstream.schemas.EventFields.EVENT_ID;
import static io.shelfstream.schemas.EventFields.EVENT_TYPE;
import static io.shelfstream.schemas.EventFields.OCCURRED_AT;
import static io.shelfstream.schemas.EventFields.STUDENT_ID;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parses the value of a record of one input topic into its typed event, rejecting anything the contract does not
 * allow with a specific {@link DeadLetterReason}. Never throws on bad input.
 *
 * <p>Checks, in this order (the first failing one is reported): the size limit ({@code too_large}), UTF-8
 * ({@code not_utf8}), one JSON text without a byte order mark or trailing content ({@code not_json}), nesting of
 * at most {@value #MAX_NESTING_DEPTH} levels ({@code too_deep}), no field named twice ({@code duplicate_field}),
 * an object ({@code not_an_object}), then {@code event_type}, {@code event_id}, {@code occurred_at} and the
 * topic's ids ({@code missing_field}, {@code wrong_type}, {@code unknown_event_type}, {@code malformed_id}).
 * A field whose value is {@code null} counts as absent. Fields the contract does not name are allowed and
 * ignored, so upstream can add fields without breaking consumers. The published JSON Schemas
 * ({@link EventTopic#schemaResource()}) state the same rules for everything a JSON Schema can express.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * EventParser<CheckoutEvent> parser = EventParser.checkouts(EventParser.DEFAULT_MAX_RECORD_BYTES);
 * ParseResult<CheckoutEvent> r = parser.parse(record.value());
 * if (r.isOk()) { use(r.value()); } else { deadLetter(r.reason(), r.detail()); }
 * }</pre>
 *
 * @param <T> the topic's event type
 */
public final class EventParser<T extends LibraryEvent> {

    /** Default upper bound of a record value, in bytes. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

    /** Deepest nesting of objects and arrays accepted (a valid event needs two levels; extra fields get more). */
    public static final int MAX_NESTING_DEPTH = 64;

    private static final int MAX_QUOTED = 64;

    private final EventTopic topic;
    private final Class<T> eventClass;
    private final int maxRecordBytes;
    private final TreeReader<T> reader;
    private final StrictJsonReader json = new StrictJsonReader(MAX_NESTING_DEPTH);

    private EventParser(EventTopic topic, Class<T> eventClass, int maxRecordBytes, TreeReader<T> reader) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.topic = topic;
        this.eventClass = eventClass;
        this.maxRecordBytes = maxRecordBytes;
        this.reader = reader;
    }

    /** A parser for the {@code books} topic. */
    public static EventParser<BookEvent> books(int maxRecordBytes) {
        return new EventParser<>(EventTopic.BOOKS, BookEvent.class, maxRecordBytes, EventParser::readBook);
    }

    /** A parser for the {@code students} topic. */
    public static EventParser<StudentEvent> students(int maxRecordBytes) {
        return new EventParser<>(EventTopic.STUDENTS, StudentEvent.class, maxRecordBytes, EventParser::readStudent);
    }

    /** A parser for the {@code checkouts} topic. */
    public static EventParser<CheckoutEvent> checkouts(int maxRecordBytes) {
        return new EventParser<>(EventTopic.CHECKOUTS, CheckoutEvent.class, maxRecordBytes, EventParser::readCheckout);
    }

    /** A parser for the given topic. */
    public static EventParser<? extends LibraryEvent> forTopic(EventTopic topic, int maxRecordBytes) {
        return switch (topic) {
            case BOOKS -> books(maxRecordBytes);
            case STUDENTS -> students(maxRecordBytes);
            case CHECKOUTS -> checkouts(maxRecordBytes);
        };
    }

    /** The topic this parser reads. */
    public EventTopic topic() {
        return topic;
    }

    /** The class of the events it returns. */
    public Class<T> eventClass() {
        return eventClass;
    }

    /** The largest record value it accepts, in bytes. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Parses one record value ({@code null} for a record without value). */
    public ParseResult<T> parse(byte[] value) {
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
        if (text.startsWith("\uFEFF")) {
            return ParseResult.rejected(DeadLetterReason.NOT_JSON, "record value starts with a byte order mark");
        }
        try {
            return read(json.read(text));
        } catch (Rejection r) {
            return ParseResult.rejected(r.reason(), r.detail());
        }
    }

    /**
     * Checks an already parsed JSON value against the contract (everything after the transport checks: size,
     * encoding, syntax, depth and duplicate fields are the caller's).
     */
    public ParseResult<T> parseTree(JsonNode root) {
        try {
            return read(root);
        } catch (Rejection r) {
            return ParseResult.rejected(r.reason(), r.detail());
        }
    }

    private ParseResult<T> read(JsonNode root) throws Rejection {
        if (!(root instanceof ObjectNode object)) {
            throw new Rejection(DeadLetterReason.NOT_AN_OBJECT,
                    "record value is a JSON " + typeName(root) + ", not an object");
        }
        return ParseResult.ok(reader.read(object));
    }

    @FunctionalInterface
    private interface TreeReader<T> {
        T read(ObjectNode root) throws Rejection;
    }

    private static BookEvent readBook(ObjectNode root) throws Rejection {
        BookEvent.BookEventType type = eventType(root, EventTopic.BOOKS, BookEvent.BookEventType::fromWireName);
        String eventId = requiredId(root, EVENT_ID);
        Instant occurredAt = occurredAt(root);
        List<String> ids = new ArrayList<>();
        JsonNode single = root.get(BOOK_ID);
        if (isPresent(single)) {
            ids.add(id(single, BOOK_ID));
        }
        JsonNode batch = root.get(BOOK_IDS);
        if (isPresent(batch)) {
            if (!batch.isArray()) {
                throw new Rejection(DeadLetterReason.WRONG_TYPE,
                        BOOK_IDS + " must be an array of strings, got " + typeName(batch));
            }
            for (int i = 0; i < batch.size(); i++) {
                ids.add(id(batch.get(i), BOOK_IDS + "[" + i + "]"));
            }
        }
        if (ids.isEmpty()) {
            throw new Rejection(DeadLetterReason.MISSING_FIELD,
                    BOOK_ID + " or a non-empty " + BOOK_IDS + " is required");
        }
        return new BookEvent(eventId, type, occurredAt, ids);
    }

    private static StudentEvent readStudent(ObjectNode root) throws Rejection {
        StudentEvent.StudentEventType type =
                eventType(root, EventTopic.STUDENTS, StudentEvent.StudentEventType::fromWireName);
        String eventId = requiredId(root, EVENT_ID);
        Instant occurredAt = occurredAt(root);
        return new StudentEvent(eventId, type, occurredAt, requiredId(root, STUDENT_ID));
    }

    private static CheckoutEvent readCheckout(ObjectNode root) throws Rejection {
        CheckoutEvent.CheckoutEventType type =
                eventType(root, EventTopic.CHECKOUTS, CheckoutEvent.CheckoutEventType::fromWireName);
        String eventId = requiredId(root, EVENT_ID);
        Instant occurredAt = occurredAt(root);
        String checkoutId = requiredId(root, CHECKOUT_ID);
        String studentId = requiredId(root, STUDENT_ID);
        String bookId = requiredId(root, BOOK_ID);
        return new CheckoutEvent(eventId, type, occurredAt, checkoutId, studentId, bookId);
    }

    private static <E> E eventType(ObjectNode root, EventTopic topic, Function<String, E> byWireName)
            throws Rejection {
        JsonNode node = root.get(EVENT_TYPE);
        if (!isPresent(node)) {
            throw new Rejection(DeadLetterReason.MISSING_FIELD, EVENT_TYPE + " is missing");
        }
        if (!node.isTextual()) {
            throw new Rejection(DeadLetterReason.WRONG_TYPE,
                    EVENT_TYPE + " must be a string, got " + typeName(node));
        }
        E type = byWireName.apply(node.textValue());
        if (type == null) {
            EventTopic owner = EventTopic.definingEventType(node.textValue());
            throw new Rejection(DeadLetterReason.UNKNOWN_EVENT_TYPE, "unknown " + EVENT_TYPE + " '"
                    + quoted(node.textValue()) + "' for topic " + topic.defaultName()
                    + (owner == null ? "" : " (it is an event type of topic " + owner.defaultName() + ")"));
        }
        return type;
    }

    private static Instant occurredAt(ObjectNode root) throws Rejection {
        JsonNode node = root.get(OCCURRED_AT);
        if (!isPresent(node)) {
            throw new Rejection(DeadLetterReason.MISSING_FIELD, OCCURRED_AT + " is missing");
        }
        if (!node.isTextual()) {
            throw new Rejection(DeadLetterReason.WRONG_TYPE,
                    OCCURRED_AT + " must be an ISO-8601 time string, got " + typeName(node));
        }
        Instant at = EventFields.parseTime(node.textValue());
        if (at == null) {
            throw new Rejection(DeadLetterReason.WRONG_TYPE, OCCURRED_AT
                    + " must be an ISO-8601 time like 2026-09-01T08:00:00Z, got '" + quoted(node.textValue()) + "'");
        }
        return at;
    }

    private static String requiredId(ObjectNode root, String field) throws Rejection {
        JsonNode node = root.get(field);
        if (!isPresent(node)) {
            throw new Rejection(DeadLetterReason.MISSING_FIELD, field + " is missing");
        }
        return id(node, field);
    }

    private static String id(JsonNode node, String field) throws Rejection {
        if (!node.isTextual()) {
            throw new Rejection(DeadLetterReason.MALFORMED_ID, field + " must be a string, got " + typeName(node));
        }
        String problem = EventFields.idProblem(field, node.textValue());
        if (problem != null) {
            throw new Rejection(DeadLetterReason.MALFORMED_ID, problem);
        }
        return node.textValue();
    }

    private static boolean isPresent(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static String typeName(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Bounds what a detail repeats of the record: the whole value is in the dead letter anyway. */
    private static String quoted(String s) {
        return s.length() <= MAX_QUOTED ? s : s.substring(0, MAX_QUOTED) + "...";
    }
}
