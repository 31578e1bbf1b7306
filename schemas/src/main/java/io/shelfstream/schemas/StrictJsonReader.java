package io.shelfstream.schemas;

import java.io.IOException;
import java.util.ArrayDeque;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads exactly one JSON text into a tree, stricter than {@code ObjectMapper.readTree}: content after the value,
 * a duplicate field name and nesting deeper than a limit are rejected with their own reasons.
 *
 * <p>Builds the tree iteratively, so a deeply nested record cannot exhaust the stack. Thread-safe.
 */
final class StrictJsonReader {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final int maxNestingDepth;

    StrictJsonReader(int maxNestingDepth) {
        this.maxNestingDepth = maxNestingDepth;
    }

    JsonNode read(String text) throws Rejection {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new Rejection(DeadLetterReason.NOT_JSON, "record value is empty");
            }
            JsonNode root = readValue(p, first);
            JsonToken extra = p.nextToken();
            if (extra != null) {
                throw new Rejection(DeadLetterReason.NOT_JSON,
                        "content after the JSON value at character " + p.currentTokenLocation().getCharOffset());
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new Rejection(DeadLetterReason.TOO_LARGE, e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new Rejection(DeadLetterReason.NOT_JSON, e.getOriginalMessage());
        } catch (IOException e) {
            // reading a String does no I/O; anything else is a syntax problem reported by the parser
            throw new Rejection(DeadLetterReason.NOT_JSON, String.valueOf(e.getMessage()));
        }
    }

    private JsonNode readValue(JsonParser p, JsonToken first) throws IOException, Rejection {
        ArrayDeque<ContainerNode<?>> open = new ArrayDeque<>();
        String field = null;
        JsonToken t = first;
        while (true) {
            if (t == null) {
                throw new Rejection(DeadLetterReason.NOT_JSON, "unexpected end of input");
            }
            JsonNode value;
            switch (t) {
                case FIELD_NAME -> {
                    field = p.currentName();
                    if (((ObjectNode) open.peek()).has(field)) {
                        throw new Rejection(DeadLetterReason.DUPLICATE_FIELD,
                                "field '" + field + "' appears more than once in an object");
                    }
                    t = p.nextToken();
                    continue;
                }
                case END_OBJECT, END_ARRAY -> {
                    ContainerNode<?> closed = open.pop();
                    if (open.isEmpty()) {
                        return closed;
                    }
                    t = p.nextToken();
                    continue;
                }
                case START_OBJECT -> value = NODES.objectNode();
                case START_ARRAY -> value = NODES.arrayNode();
                case VALUE_STRING -> value = NODES.textNode(p.getText());
                case VALUE_NUMBER_INT -> value = switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> value = NODES.numberNode(p.getDoubleValue());
                case VALUE_TRUE -> value = NODES.booleanNode(true);
                case VALUE_FALSE -> value = NODES.booleanNode(false);
                case VALUE_NULL -> value = NODES.nullNode();
                default -> throw new Rejection(DeadLetterReason.NOT_JSON, "unexpected token " + t);
            }
            ContainerNode<?> parent = open.peek();
            if (parent instanceof ObjectNode o) {
                o.set(field, value);
            } else if (parent instanceof ArrayNode a) {
                a.add(value);
            }
            if (value instanceof ContainerNode<?> c) {
                if (open.size() >= maxNestingDepth) {
                    throw new Rejection(DeadLetterReason.TOO_DEEP,
                            "objects and arrays are nested deeper than " + maxNestingDepth + " levels");
                }
                open.push(c);
            } else if (parent == null) {
                return value;
            }
            t = p.nextToken();
        }
    }
}
