package io.shelfstream.schemas;

import static io.shelfstream.schemas.EventFields.BOOK_ID;
import static io.shelfstream.schemas.EventFields.BOOK_IDS;
import static io.shelfstream.schemas.EventFields.CHECKOUT_ID;
import static io.shelfstream.schemas.EventFields.EVENT_ID;
import static io.shelfstream.schemas.EventFields.EVENT_TYPE;
import static io.shelfstream.schemas.EventFields.OCCURRED_AT;
import static io.shelfstream.schemas.EventFields.STUDENT_ID;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * Writes events as the contract's JSON, and plugs them into Jackson's {@code ObjectMapper}.
 *
 * <p>Output is compact UTF-8 JSON with the fields in contract order ({@code event_id}, {@code event_type},
 * {@code occurred_at}, then the ids), times in UTC as {@link java.time.Instant#toString()} writes them, and a book
 * event's single id as {@code book_id}, several as {@code book_ids}. Everything written here is accepted by
 * {@link EventParser} and by the topic's JSON Schema.
 *
 * <pre>{@code
 * byte[] value = EventJson.toBytes(event);                       // a Kafka record value
 * ObjectMapper mapper = new ObjectMapper().registerModule(EventJson.module());
 * CheckoutEvent e = mapper.readValue(json, CheckoutEvent.class); // InvalidEventException when it breaks the contract
 * }</pre>
 */
public final class EventJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJson() {
    }

    /** The event as the UTF-8 JSON value of a Kafka record. */
    public static byte[] toBytes(LibraryEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(event, g);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write event " + event.eventId(), e);
        }
        return out.toByteArray();
    }

    /** The event as a JSON string. */
    public static String toJson(LibraryEvent event) {
        return new String(toBytes(event), StandardCharsets.UTF_8);
    }

    /** Writes the event as one JSON object to {@code g}. */
    public static void write(LibraryEvent event, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField(EVENT_ID, event.eventId());
        g.writeStringField(EVENT_TYPE, event.eventType().wireName());
        g.writeStringField(OCCURRED_AT, event.occurredAt().toString());
        if (event instanceof BookEvent b) {
            if (b.bookIds().size() == 1) {
                g.writeStringField(BOOK_ID, b.bookIds().get(0));
            } else {
                g.writeArrayFieldStart(BOOK_IDS);
                for (String id : b.bookIds()) {
                    g.writeString(id);
                }
                g.writeEndArray();
            }
        } else if (event instanceof StudentEvent s) {
            g.writeStringField(STUDENT_ID, s.studentId());
        } else if (event instanceof CheckoutEvent c) {
            g.writeStringField(CHECKOUT_ID, c.checkoutId());
            g.writeStringField(STUDENT_ID, c.studentId());
            g.writeStringField(BOOK_ID, c.bookId());
        }
        g.writeEndObject();
    }

    /**
     * A Jackson module that writes every {@link LibraryEvent} as above and reads {@link BookEvent},
     * {@link StudentEvent} and {@link CheckoutEvent} with the contract's rules; a value that breaks them fails
     * with an {@link InvalidEventException} naming the reason. Size, encoding, depth and duplicate-field checks
     * are {@link EventParser#parse(byte[])}'s: read Kafka records with it rather than with an {@code ObjectMapper}.
     */
    public static Module module() {
        SimpleModule m = new SimpleModule("shelfstream-events");
        m.addSerializer(LibraryEvent.class, new EventSerializer());
        m.addDeserializer(BookEvent.class, new EventDeserializer<>(EventParser.books(Integer.MAX_VALUE)));
        m.addDeserializer(StudentEvent.class, new EventDeserializer<>(EventParser.students(Integer.MAX_VALUE)));
        m.addDeserializer(CheckoutEvent.class, new EventDeserializer<>(EventParser.checkouts(Integer.MAX_VALUE)));
        return m;
    }

    private static final class EventSerializer extends StdSerializer<LibraryEvent> {

        private static final long serialVersionUID = 1L;

        EventSerializer() {
            super(LibraryEvent.class);
        }

        @Override
        public void serialize(LibraryEvent value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            write(value, gen);
        }
    }

    private static final class EventDeserializer<T extends LibraryEvent> extends StdDeserializer<T> {

        private static final long serialVersionUID = 1L;

        private final transient EventParser<T> parser;

        EventDeserializer(EventParser<T> parser) {
            super(parser.eventClass());
            this.parser = parser;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode tree = ctxt.readTree(p);
            ParseResult<T> r = parser.parseTree(tree);
            if (!r.isOk()) {
                throw new InvalidEventException(p, r.reason(), r.detail());
            }
            return r.value();
        }
    }
}
