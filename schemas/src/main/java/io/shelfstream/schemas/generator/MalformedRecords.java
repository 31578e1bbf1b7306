package io.shelfstream.schemas.generator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EventFields;
import io.shelfstream.schemas.EventJson;
import io.shelfstream.schemas.EventParser;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.LibraryEvent;

/**
 * Turns a valid event into a record that breaks the contract in exactly one way, for a given reason. Each reason
 * has several variants (the ways upstream services really get it wrong), drawn at random.
 */
final class MalformedRecords {

    /** The reasons a parser can give, in the order the generator cycles through them. */
    static final List<DeadLetterReason> REASONS = List.of(
            DeadLetterReason.NOT_JSON, DeadLetterReason.MISSING_FIELD, DeadLetterReason.MALFORMED_ID,
            DeadLetterReason.WRONG_TYPE, DeadLetterReason.UNKNOWN_EVENT_TYPE, DeadLetterReason.NOT_UTF8,
            DeadLetterReason.NOT_AN_OBJECT, DeadLetterReason.DUPLICATE_FIELD, DeadLetterReason.TOO_DEEP,
            DeadLetterReason.TOO_LARGE);

    private static final ObjectMapper JSON = new ObjectMapper();

    private MalformedRecords() {
    }

    /** A record value built from {@code template} that the topic's parser rejects for {@code reason}. */
    static byte[] make(DeadLetterReason reason, LibraryEvent template, Rand r, int maxRecordBytes) {
        byte[] value = variant(reason, template, r, maxRecordBytes);
        if (reason != DeadLetterReason.TOO_LARGE && value.length > maxRecordBytes) {
            throw new IllegalStateException("A " + reason.wireName() + " record of " + value.length
                    + " bytes would be reported as too_large; the limit " + maxRecordBytes + " is too small");
        }
        return value;
    }

    private static byte[] variant(DeadLetterReason reason, LibraryEvent template, Rand r, int maxRecordBytes) {
        String json = EventJson.toJson(template);
        EventTopic topic = template.topic();
        return switch (reason) {
            case NOT_UTF8 -> notUtf8(json, r);
            case NOT_JSON -> utf8(notJson(json, topic, r));
            case NOT_AN_OBJECT -> utf8(switch (r.nextInt(5)) {
                case 0 -> "[" + json + "]";
                case 1 -> "\"" + template.eventType().wireName() + "\"";
                case 2 -> "42";
                case 3 -> "null";
                default -> "true";
            });
            case UNKNOWN_EVENT_TYPE -> mutate(json, m -> m.put(EventFields.EVENT_TYPE, unknownType(topic, r)));
            case MISSING_FIELD -> missingField(json, topic, r);
            case MALFORMED_ID -> malformedId(json, topic, r);
            case WRONG_TYPE -> wrongType(json, topic, r);
            case TOO_LARGE -> tooLarge(json, r, maxRecordBytes);
            case TOO_DEEP -> tooDeep(json, r, maxRecordBytes);
            case DUPLICATE_FIELD -> duplicateField(json, topic, r);
            default -> throw new IllegalArgumentException("The generator does not make " + reason + " records");
        };
    }

    private static byte[] notUtf8(String json, Rand r) {
        switch (r.nextInt(4)) {
            case 0 -> {
                // written by a Latin-1 producer: é becomes the lone byte 0xE9
                String withNote = json.substring(0, json.length() - 1) + ",\"note\":\"caf\u00e9 reading club\"}";
                return withNote.getBytes(StandardCharsets.ISO_8859_1);
            }
            case 1 -> {
                // UTF-16 with its byte order mark 0xFE 0xFF, which never occurs in UTF-8
                return json.getBytes(StandardCharsets.UTF_16);
            }
            case 2 -> {
                // CESU-8 / "modified UTF-8": a surrogate pair encoded as two three-byte sequences
                byte[] head = utf8(json.substring(0, json.length() - 1) + ",\"mood\":\"");
                byte[] smiley = {(byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80};
                return concat(head, smiley, utf8("\"}"));
            }
            default -> {
                // a value cut in the middle of a multi-byte character, then the record goes on
                byte[] head = utf8(json.substring(0, json.length() - 1) + ",\"price\":\"12");
                return concat(head, new byte[] {(byte) 0xE2, (byte) 0x82}, utf8("\"}"));
            }
        }
    }

    private static String notJson(String json, EventTopic topic, Rand r) {
        return switch (r.nextInt(8)) {
            case 0 -> json.substring(0, json.length() / 2);
            case 1 -> json.replace('"', '\'');
            case 2 -> json.substring(0, json.length() - 1) + ",}";
            case 3 -> topic.eventTypes().get(0) + " at " + GeneratorOptions.DEFAULT_START;
            case 4 -> json + json;
            case 5 -> "";
            case 6 -> "\uFEFF" + json;
            default -> json.replaceFirst("\"" + EventFields.EVENT_ID + "\"", EventFields.EVENT_ID);
        };
    }

    private static String unknownType(EventTopic topic, Rand r) {
        String first = topic.eventTypes().get(0);
        String entity = first.substring(0, first.indexOf('_'));
        return switch (r.nextInt(5)) {
            case 0 -> {
                EventTopic other = EventTopic.values()[(topic.ordinal() + 1) % EventTopic.values().length];
                yield r.pick(other.eventTypes());
            }
            case 1 -> entity + (topic == EventTopic.CHECKOUTS ? "_renewed" : "_deleted");
            case 2 -> first.toUpperCase(java.util.Locale.ROOT);
            case 3 -> "";
            default -> " " + first;
        };
    }

    private static byte[] missingField(String json, EventTopic topic, Rand r) {
        return switch (r.nextInt(5)) {
            case 0 -> mutate(json, m -> m.remove(EventFields.EVENT_ID));
            case 1 -> mutate(json, m -> m.remove(EventFields.OCCURRED_AT));
            case 2 -> mutate(json, m -> m.putNull(EventFields.EVENT_TYPE));
            case 3 -> utf8("{}");
            default -> mutate(json, m -> {
                switch (topic) {
                    case BOOKS -> {
                        m.remove(EventFields.BOOK_ID);
                        m.remove(EventFields.BOOK_IDS);
                        if (r.chance(0.5)) {
                            m.putArray(EventFields.BOOK_IDS);
                        }
                    }
                    case STUDENTS -> m.remove(EventFields.STUDENT_ID);
                    case CHECKOUTS -> m.putNull(r.pick(List.of(EventFields.CHECKOUT_ID, EventFields.STUDENT_ID,
                            EventFields.BOOK_ID)));
                }
            });
        };
    }

    private static byte[] malformedId(String json, EventTopic topic, Rand r) {
        String field = entityIdField(topic, r);
        return switch (r.nextInt(7)) {
            case 0 -> mutate(json, m -> m.put(field, r.between(1, 99_999)));
            case 1 -> mutate(json, m -> m.put(field, ""));
            case 2 -> mutate(json, m -> m.put(field, "x".repeat(EventFields.MAX_ID_LENGTH + r.between(1, 200))));
            case 3 -> mutate(json, m -> m.put(field, "b-12\n" + r.between(1, 999)));
            case 4 -> mutate(json, m -> m.put(field, "   "));
            case 5 -> mutate(json, m -> m.putObject(EventFields.EVENT_ID).put("uuid", r.uuid()));
            default -> topic == EventTopic.BOOKS
                    ? mutate(json, m -> {
                        m.remove(EventFields.BOOK_ID);
                        m.putArray(EventFields.BOOK_IDS).add("b-000001").add(r.between(1, 999));
                    })
                    : mutate(json, m -> m.put(field, true));
        };
    }

    private static byte[] wrongType(String json, EventTopic topic, Rand r) {
        return switch (r.nextInt(topic == EventTopic.BOOKS ? 8 : 7)) {
            case 0 -> mutate(json, m -> m.put(EventFields.OCCURRED_AT, "yesterday"));
            case 1 -> mutate(json, m -> m.put(EventFields.OCCURRED_AT, 1_788_250_000_000L + r.between(0, 999_999)));
            case 2 -> mutate(json, m -> m.put(EventFields.OCCURRED_AT, "2026-09-01 08:00:00"));
            case 3 -> mutate(json, m -> m.put(EventFields.OCCURRED_AT, "2026-02-30T08:00:00Z"));
            case 4 -> mutate(json, m -> m.put(EventFields.EVENT_TYPE, r.between(0, 3)));
            case 5 -> mutate(json, m -> m.putArray(EventFields.EVENT_TYPE).add(topic.eventTypes().get(0)));
            case 6 -> mutate(json, m -> m.put(EventFields.OCCURRED_AT, "2026-09-01"));
            default -> mutate(json, m -> {
                m.remove(EventFields.BOOK_ID);
                m.put(EventFields.BOOK_IDS, "b-000001,b-000002");
            });
        };
    }

    private static byte[] tooLarge(String json, Rand r, int maxRecordBytes) {
        String head = json.substring(0, json.length() - 1) + ",\"notes\":\"";
        String tail = "\"}";
        int fill = maxRecordBytes + r.between(1, 512) - head.length() - tail.length();
        String sentence = "Scanned twice at the desk because the barcode was smudged. ";
        StringBuilder sb = new StringBuilder(maxRecordBytes + 1024).append(head);
        while (fill > 0) {
            String part = fill >= sentence.length() ? sentence : sentence.substring(0, fill);
            sb.append(part);
            fill -= part.length();
        }
        return utf8(sb.append(tail).toString());
    }

    private static byte[] tooDeep(String json, Rand r, int maxRecordBytes) {
        // deeper than the parser allows, yet within the size limit so that depth is what gets reported
        int budget = maxRecordBytes - json.length() - 16;
        int least = EventParser.MAX_NESTING_DEPTH + 5;
        boolean arrays = r.chance(0.5) || budget / 9 < least;
        int depth = r.between(least, Math.max(least, Math.min(300, budget / (arrays ? 2 : 9))));
        StringBuilder sb = new StringBuilder(json.substring(0, json.length() - 1)).append(",\"extra\":");
        for (int i = 0; i < depth; i++) {
            sb.append(arrays ? "[" : "{\"next\":");
        }
        sb.append("1");
        for (int i = 0; i < depth; i++) {
            sb.append(arrays ? "]" : "}");
        }
        return utf8(sb.append('}').toString());
    }

    private static byte[] duplicateField(String json, EventTopic topic, Rand r) {
        String body = json.substring(1);
        return utf8(switch (r.nextInt(4)) {
            case 0 -> "{\"" + EventFields.EVENT_TYPE + "\":\"" + topic.eventTypes().get(0) + "\"," + body;
            case 1 -> "{\"" + EventFields.EVENT_ID + "\":\"" + r.uuid() + "\"," + body;
            case 2 -> "{\"" + entityIdField(topic, r) + "\":\"x-000001\"," + body.replace(
                    "\"" + EventFields.BOOK_IDS + "\"", "\"" + EventFields.BOOK_ID + "\"");
            default -> json.substring(0, json.length() - 1)
                    + ",\"meta\":{\"source\":\"desk-3\",\"source\":\"desk-4\"}}";
        });
    }

    /** A field named in every event of the topic that holds an entity id. */
    private static String entityIdField(EventTopic topic, Rand r) {
        return switch (topic) {
            case BOOKS -> EventFields.BOOK_ID;
            case STUDENTS -> EventFields.STUDENT_ID;
            case CHECKOUTS -> r.pick(List.of(EventFields.CHECKOUT_ID, EventFields.STUDENT_ID, EventFields.BOOK_ID));
        };
    }

    private interface Mutation {
        void apply(ObjectNode m);
    }

    private static byte[] mutate(String json, Mutation mutation) {
        try {
            ObjectNode m = (ObjectNode) JSON.readTree(json);
            mutation.apply(m);
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The generator wrote JSON it cannot read back: " + json, e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        List<byte[]> list = new ArrayList<>(List.of(parts));
        int n = 0;
        for (byte[] p : list) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : list) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
