package io.shelfstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.shelfstream.schemas.BookEvent.BookEventType;
import io.shelfstream.schemas.CheckoutEvent.CheckoutEventType;
import io.shelfstream.schemas.StudentEvent.StudentEventType;

class EventJsonTest {

    private static final Instant AT = Instant.parse("2026-09-01T08:15:00Z");

    private static List<LibraryEvent> everyEventType() {
        List<LibraryEvent> all = new java.util.ArrayList<>();
        for (BookEventType t : BookEventType.values()) {
            all.add(BookEvent.of("e-" + t, t, AT, "b-1"));
            all.add(new BookEvent("e-" + t + "-batch", t, AT.plusMillis(250), List.of("b-1", "b-2", "b-3")));
        }
        for (StudentEventType t : StudentEventType.values()) {
            all.add(new StudentEvent("e-" + t, t, AT.plusNanos(1), "s-1"));
        }
        for (CheckoutEventType t : CheckoutEventType.values()) {
            all.add(new CheckoutEvent("e-" + t, t, AT, "c-1", "s-1", "b-1"));
        }
        return all;
    }

    @Test
    void writesTheContractsJsonInFieldOrder() {
        assertThat(EventJson.toJson(BookEvent.of("e-1", BookEventType.BOOK_ADDED, AT, "b-1"))).isEqualTo(
                "{\"event_id\":\"e-1\",\"event_type\":\"book_added\",\"occurred_at\":\"2026-09-01T08:15:00Z\","
                        + "\"book_id\":\"b-1\"}");
        assertThat(EventJson.toJson(new BookEvent("e-2", BookEventType.BOOK_REMOVED, AT.plusMillis(5),
                List.of("b-1", "b-2")))).isEqualTo("{\"event_id\":\"e-2\",\"event_type\":\"book_removed\","
                        + "\"occurred_at\":\"2026-09-01T08:15:00.005Z\",\"book_ids\":[\"b-1\",\"b-2\"]}");
        assertThat(EventJson.toJson(new CheckoutEvent("e-3", CheckoutEventType.CHECKOUT_RETURNED, AT, "c-1", "s-1",
                "b-1"))).isEqualTo("{\"event_id\":\"e-3\",\"event_type\":\"checkout_returned\","
                        + "\"occurred_at\":\"2026-09-01T08:15:00Z\",\"checkout_id\":\"c-1\",\"student_id\":\"s-1\","
                        + "\"book_id\":\"b-1\"}");
    }

    @Test
    void everyEventTypeRoundTripsThroughTheParser() {
        for (LibraryEvent e : everyEventType()) {
            ParseResult<? extends LibraryEvent> back =
                    EventParser.forTopic(e.topic(), 1024).parse(EventJson.toBytes(e));
            assertThat(back.isOk()).as(back.toString()).isTrue();
            assertThat(back.value()).isEqualTo(e);
        }
    }

    @Test
    void objectMapperModuleWritesAndReadsEveryEventType() throws Exception {
        ObjectMapper mapper = new ObjectMapper().registerModule(EventJson.module());
        for (LibraryEvent e : everyEventType()) {
            String json = mapper.writeValueAsString(e);
            assertThat(json).isEqualTo(EventJson.toJson(e));
            assertThat(mapper.readValue(json, e.getClass())).isEqualTo(e);
        }
        // also inside other values
        assertThat(mapper.writeValueAsString(List.of(everyEventType().get(0))))
                .isEqualTo("[" + EventJson.toJson(everyEventType().get(0)) + "]");
    }

    @Test
    void objectMapperModuleRejectsWithTheReason() {
        ObjectMapper mapper = new ObjectMapper().registerModule(EventJson.module());
        assertThatThrownBy(() -> mapper.readValue("{\"event_id\":\"e\",\"event_type\":\"checkout_lost\","
                + "\"occurred_at\":\"2026-09-01T08:15:00Z\"}", CheckoutEvent.class))
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNKNOWN_EVENT_TYPE))
                .hasMessageContaining("unknown_event_type");
        assertThatThrownBy(() -> mapper.readValue("[]", StudentEvent.class))
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_AN_OBJECT));
    }

    @Test
    void eventsRefuseWhatTheContractForbids() {
        assertThatThrownBy(() -> BookEvent.of("", BookEventType.BOOK_ADDED, AT, "b-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventId");
        assertThatThrownBy(() -> new BookEvent("e", BookEventType.BOOK_ADDED, AT, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StudentEvent("e", StudentEventType.STUDENT_ADDED, AT, "s\n1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
        assertThatThrownBy(() -> new CheckoutEvent("e", CheckoutEventType.CHECKOUT_CREATED,
                Instant.parse("+10000-01-01T00:00:00Z"), "c", "s", "b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0000 to 9999");
        assertThatThrownBy(() -> new CheckoutEvent("e", null, AT, "c", "s", "b"))
                .isInstanceOf(NullPointerException.class);
        assertThat(EventFields.isValidId("x".repeat(EventFields.MAX_ID_LENGTH))).isTrue();
        assertThat(EventFields.isValidId("x".repeat(EventFields.MAX_ID_LENGTH + 1))).isFalse();
    }

    @Test
    void keysAreTheEntityIds() {
        assertThat(new BookEvent("e", BookEventType.BOOK_ADDED, AT, List.of("b-2", "b-1")).key()).isEqualTo("b-2");
        assertThat(new StudentEvent("e", StudentEventType.STUDENT_ADDED, AT, "s-1").key()).isEqualTo("s-1");
        assertThat(new CheckoutEvent("e", CheckoutEventType.CHECKOUT_CREATED, AT, "c-1", "s-1", "b-1").key())
                .isEqualTo("c-1");
        assertThat(EventTopic.definingEventType("checkout_returned")).isEqualTo(EventTopic.CHECKOUTS);
        assertThat(EventTopic.STUDENTS.eventTypes()).containsExactly("student_added", "student_updated",
                "student_removed");
    }
}
