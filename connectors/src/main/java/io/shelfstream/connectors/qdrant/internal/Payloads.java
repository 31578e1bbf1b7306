package io.shelfstream.connectors.qdrant.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;

/** Converts between JSON payload objects and Qdrant's gRPC payload values. */
public final class Payloads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {
    }

    /** Converts a JSON object string to a Qdrant payload map. */
    public static Map<String, Value> fromJson(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("payload must be a JSON object");
        }
        Map<String, Value> out = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            out.put(f.getKey(), toValue(f.getValue()));
        }
        return out;
    }

    private static Value toValue(JsonNode n) {
        Value.Builder v = Value.newBuilder();
        if (n.isNull()) {
            v.setNullValue(NullValue.NULL_VALUE);
        } else if (n.isBoolean()) {
            v.setBoolValue(n.booleanValue());
        } else if (n.isIntegralNumber()) {
            v.setIntegerValue(n.longValue());
        } else if (n.isNumber()) {
            v.setDoubleValue(n.doubleValue());
        } else if (n.isTextual()) {
            v.setStringValue(n.textValue());
        } else if (n.isArray()) {
            ListValue.Builder list = ListValue.newBuilder();
            n.forEach(e -> list.addValues(toValue(e)));
            v.setListValue(list);
        } else {
            Struct.Builder struct = Struct.newBuilder();
            n.fields().forEachRemaining(e -> struct.putFields(e.getKey(), toValue(e.getValue())));
            v.setStructValue(struct);
        }
        return v.build();
    }

    /** Converts a Qdrant payload value to plain Java (String, Long, Double, Boolean, List, Map or null). */
    public static Object toJava(Value v) {
        switch (v.getKindCase()) {
            case STRING_VALUE:
                return v.getStringValue();
            case INTEGER_VALUE:
                return v.getIntegerValue();
            case DOUBLE_VALUE:
                return v.getDoubleValue();
            case BOOL_VALUE:
                return v.getBoolValue();
            case LIST_VALUE:
                return v.getListValue().getValuesList().stream().map(Payloads::toJava).toList();
            case STRUCT_VALUE:
                Map<String, Object> m = new HashMap<>();
                v.getStructValue().getFieldsMap().forEach((k, x) -> m.put(k, toJava(x)));
                return m;
            default:
                return null;
        }
    }
}
