package io.shelfstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;

import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * The published JSON Schemas and the Java side agree: every schema accepts what the Java side writes, rejects what
 * the parser rejects, and accepts what it accepts.
 *
 * <p>A JSON Schema judges a parsed JSON value, so the parser's checks on the bytes themselves (size, UTF-8,
 * syntax, nesting depth, duplicate field names) are outside what it can express; the schemas state those rules in
 * their description. Everything else is compared, including by a seeded differential test over single-field
 * mutations of valid events.
 */
class JsonSchemaContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final Map<EventTopic, Schema> SCHEMAS = new EnumMap<>(EventTopic.class);

    /** Reasons a JSON Schema cannot express: they are about the bytes, not the parsed value. */
    private static final Set<DeadLetterReason> TRANSPORT = Set.of(DeadLetterReason.NOT_UTF8, DeadLetterReason.NOT_JSON,
            DeadLetterReason.TOO_LARGE, DeadLetterReason.TOO_DEEP, DeadLetterReason.DUPLICATE_FIELD);

    static {
        for (EventTopic t : EventTopic.values()) {
            SCHEMAS.put(t, REGISTRY.getSchema(t.schema()));
        }
    }

    private static List<Error> validate(EventTopic topic, JsonNode value) {
        return SCHEMAS.get(topic).validate(value);
    }

    @ParameterizedTest
    @EnumSource(EventTopic.class)
    void schemaIsAValidDraft202012SchemaWithTheTopicsEventTypes(EventTopic topic) throws Exception {
        Schema meta = REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        JsonNode schema = JSON.readTree(topic.schema());
        assertThat(meta.validate(schema)).isEmpty();
        assertThat(schema.get("$id").asText()).isEqualTo("urn:shelfstream:schema:" + topic.defaultName() + ":v1");
        List<String> types = new ArrayList<>();
        schema.at("/properties/event_type/enum").forEach(n -> types.add(n.asText()));
        assertThat(types).isEqualTo(topic.eventTypes());
        assertThat(getClass().getClassLoader().getResource(topic.schemaResource())).isNotNull();
    }

    @Test
    void everyRecordTheGeneratorWritesIsValid() throws Exception {
        LibraryGenerator g = LibraryGenerator.create(GeneratorOptions.builder()
                .setBooks(400).setStudents(120).setCheckouts(3_000).setSeed(11).build());
        for (EventTopic topic : EventTopic.values()) {
            Set<String> seenTypes = new java.util.HashSet<>();
            for (GeneratedRecord r : g.records(topic)) {
                assertThat(validate(topic, JSON.readTree(r.value())))
                        .as("%s", new String(r.value(), StandardCharsets.UTF_8)).isEmpty();
                seenTypes.add(r.event().eventType().wireName());
            }
            assertThat(seenTypes).containsExactlyInAnyOrderElementsOf(topic.eventTypes());
        }
    }

    @Test
    void edgeCasesTheJavaSideWritesAreValid() throws Exception {
        Instant at = Instant.parse("2026-09-01T08:15:00.123456789Z");
        String astral = "\uD83D\uDCDA".repeat(EventFields.MAX_ID_LENGTH);
        List<LibraryEvent> events = List.of(
                BookEvent.of("e", BookEvent.BookEventType.BOOK_REMOVED, at, astral),
                new BookEvent("e", BookEvent.BookEventType.BOOK_ADDED, Instant.parse("0000-01-01T00:00:00Z"),
                        List.of("a", " b ", "Zo\u00eb")),
                new StudentEvent(" e ", StudentEvent.StudentEventType.STUDENT_UPDATED,
                        Instant.parse("9999-12-31T23:59:59.999999999Z"), "s"),
                new CheckoutEvent("e", CheckoutEvent.CheckoutEventType.CHECKOUT_RETURNED, at, "c", "s", "b"));
        for (LibraryEvent e : events) {
            byte[] json = EventJson.toBytes(e);
            assertThat(validate(e.topic(), JSON.readTree(json))).as(EventJson.toJson(e)).isEmpty();
            assertThat(EventParser.forTopic(e.topic(), 4096).parse(json).value()).isEqualTo(e);
        }
    }

    @Test
    void everyContentRejectionOfTheParserTestsIsRejectedBySchema() throws Exception {
        int compared = 0;
        for (var args : EventParserTest.malformed().toList()) {
            EventTopic topic = (EventTopic) args.get()[0];
            String value = (String) args.get()[1];
            DeadLetterReason reason = (DeadLetterReason) args.get()[2];
            if (TRANSPORT.contains(reason)) {
                continue;
            }
            assertThat(validate(topic, JSON.readTree(value))).as("%s (%s)", value, reason).isNotEmpty();
            compared++;
        }
        assertThat(compared).isGreaterThanOrEqualTo(30);
    }

    @Test
    void everyContentRejectionOfTheGeneratorIsRejectedBySchema() throws Exception {
        LibraryGenerator g = LibraryGenerator.create(GeneratorOptions.builder()
                .setBooks(200).setStudents(60).setCheckouts(1_500).setSeed(5).setMalformedFraction(0.3).build());
        Map<DeadLetterReason, Integer> compared = new EnumMap<>(DeadLetterReason.class);
        for (EventTopic topic : EventTopic.values()) {
            for (GeneratedRecord r : g.records(topic)) {
                if (r.isMalformed() && !TRANSPORT.contains(r.expectedReason())) {
                    assertThat(validate(topic, JSON.readTree(r.value())))
                            .as("%s (%s)", new String(r.value(), StandardCharsets.UTF_8), r.expectedReason())
                            .isNotEmpty();
                    compared.merge(r.expectedReason(), 1, Integer::sum);
                }
            }
        }
        assertThat(compared.keySet()).containsExactlyInAnyOrder(DeadLetterReason.NOT_AN_OBJECT,
                DeadLetterReason.UNKNOWN_EVENT_TYPE, DeadLetterReason.MISSING_FIELD, DeadLetterReason.MALFORMED_ID,
                DeadLetterReason.WRONG_TYPE);
    }

    /** Values tried in every field, chosen around the edges of the rules. */
    private static final List<Object> TRICKY = List.of(
            "", " ", "   ", "x", " x ", "a\u0001b", "tab\there", "del\u007f", "c1\u0085", "x".repeat(128),
            "x".repeat(129), "\uD83D\uDCDA".repeat(128), "\uD83D\uDCDA".repeat(129), "\u00e9".repeat(128),
            7, -1, 1.5, true, false, List.of(), List.of("b-1"), List.of("b-1", 2), List.of(""), Map.of(),
            Map.of("id", "x"),
            "2026-09-01T08:00:00Z", "2026-09-01T08:00:00.5Z", "2026-09-01T08:00:00.1234567891Z",
            "2026-09-01T10:00:00+02:00", "2026-09-01T10:00:00-00:00", "2026-09-01T10:00:00+18:00",
            "2026-09-01T10:00:00+18:01", "2026-09-01T10:00:00+0200", "2026-09-01T08:00Z", "2026-09-01T08:00:00",
            "2026-09-01t08:00:00z", "2026-09-01 08:00:00Z", "2026-13-01T08:00:00Z", "2026-02-29T08:00:00Z",
            "2028-02-29T08:00:00Z", "2026-04-31T08:00:00Z", "2026-09-01T24:00:00Z", "2026-09-01T23:59:60Z",
            "2026-09-01T08:60:00Z", "+12026-09-01T08:00:00Z", "26-09-01T08:00:00Z", "\u0662026-09-01T08:00:00Z",
            "book_added", "book_updated", "book_removed", "student_added", "student_updated", "student_removed",
            "checkout_created", "checkout_returned", "BOOK_ADDED", "book_added ");

    private static final Object ABSENT = new Object();
    private static final Object NULL = new Object();

    @ParameterizedTest
    @EnumSource(EventTopic.class)
    void parserAndSchemaAgreeOnMutatedEvents(EventTopic topic) throws Exception {
        ObjectNode base = (ObjectNode) JSON.readTree(EventJson.toBytes(sample(topic, false)));
        ObjectNode batch = (ObjectNode) JSON.readTree(EventJson.toBytes(sample(topic, true)));
        List<String> fields = new ArrayList<>(List.of(EventFields.EVENT_ID, EventFields.EVENT_TYPE,
                EventFields.OCCURRED_AT, EventFields.BOOK_ID, EventFields.BOOK_IDS, EventFields.STUDENT_ID,
                EventFields.CHECKOUT_ID, "extra"));
        List<Object> values = new ArrayList<>(TRICKY);
        values.add(ABSENT);
        values.add(NULL);
        int accepted = 0;
        int cases = 0;
        for (ObjectNode start : List.of(base, batch)) {
            for (String field : fields) {
                for (Object v : values) {
                    accepted += compare(topic, with(start, field, v)) ? 1 : 0;
                    cases++;
                }
            }
        }
        // pairs of mutations, seeded
        SplittableRandom random = new SplittableRandom(topic.ordinal());
        for (int i = 0; i < 1_500; i++) {
            ObjectNode m = with(random.nextBoolean() ? base : batch, fields.get(random.nextInt(fields.size())),
                    values.get(random.nextInt(values.size())));
            m = with(m, fields.get(random.nextInt(fields.size())), values.get(random.nextInt(values.size())));
            accepted += compare(topic, m) ? 1 : 0;
            cases++;
        }
        assertThat(accepted).as("both accept some and reject others").isBetween(cases / 20, cases - cases / 20);
    }

    /** Returns whether both accept; fails when they disagree. */
    private static boolean compare(EventTopic topic, ObjectNode value) throws Exception {
        byte[] bytes = JSON.writeValueAsBytes(value);
        ParseResult<? extends LibraryEvent> parsed = EventParser.forTopic(topic, 1 << 20).parse(bytes);
        List<Error> errors = validate(topic, value);
        assertThat(errors.isEmpty())
                .as("%s: parser says %s, schema says %s", value, parsed,
                        errors.stream().map(Error::getMessage).collect(Collectors.joining("; ")))
                .isEqualTo(parsed.isOk());
        return parsed.isOk();
    }

    private static ObjectNode with(ObjectNode start, String field, Object v) {
        ObjectNode m = start.deepCopy();
        if (v == ABSENT) {
            m.remove(field);
        } else if (v == NULL) {
            m.putNull(field);
        } else {
            m.set(field, JSON.valueToTree(v));
        }
        return m;
    }

    private static LibraryEvent sample(EventTopic topic, boolean batch) {
        Instant at = Instant.parse("2026-09-01T08:15:00Z");
        return switch (topic) {
            case BOOKS -> batch
                    ? new BookEvent("e-1", BookEvent.BookEventType.BOOK_ADDED, at, List.of("b-1", "b-2"))
                    : BookEvent.of("e-1", BookEvent.BookEventType.BOOK_UPDATED, at, "b-1");
            case STUDENTS -> new StudentEvent("e-2", StudentEvent.StudentEventType.STUDENT_ADDED, at, "s-1");
            case CHECKOUTS -> new CheckoutEvent("e-3", CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED, at,
                    "c-1", "s-1", "b-1");
        };
    }

    @Test
    void deadLetterRecordsMatchTheirSchema() throws Exception {
        Schema schema = REGISTRY.getSchema(CatalogSql.resource("json/dead-letter.v1.schema.json"));
        DeadLetter withBytes = new DeadLetter(DeadLetterReason.NOT_UTF8, "record value is not valid UTF-8", "books",
                3, 42L, 1_788_250_000_000L, "k".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xFF, 0});
        DeadLetter tombstone = new DeadLetter(DeadLetterReason.NOT_JSON, "record has no value", "students", 0, 0L,
                -1L, null, null);
        for (DeadLetter d : List.of(withBytes, tombstone)) {
            assertThat(schema.validate(JSON.readTree(d.toJson()))).isEmpty();
            DeadLetter back = DeadLetter.fromJson(d.toJson());
            assertThat(back.reason()).isEqualTo(d.reason());
            assertThat(back.value()).isEqualTo(d.value());
            assertThat(back.key()).isEqualTo(d.key());
            assertThat(back.offset()).isEqualTo(d.offset());
        }
        List<String> reasons = new ArrayList<>();
        JSON.readTree(CatalogSql.resource("json/dead-letter.v1.schema.json")).at("/properties/reason/enum")
                .forEach(n -> reasons.add(n.asText()));
        assertThat(reasons).containsExactlyInAnyOrderElementsOf(
                java.util.Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::wireName).toList());
    }
}
