package io.shelfstream.connectors.local.qdrant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.WithPayloadSelector;

/**
 * Payload handling with Qdrant's JSON semantics: payloads are JSON objects, numbers are 64-bit integers
 * or finite doubles, and an unset protobuf value reads as JSON {@code null}.
 */
final class PayloadValues {

    static final Value NULL = Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();

    private PayloadValues() {
    }

    /** Normalises a request payload as Qdrant's proto-to-JSON conversion does. */
    static Map<String, Value> fromRequest(Map<String, Value> payload) {
        Map<String, Value> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : payload.entrySet()) {
            out.put(e.getKey(), normalise(e.getValue()));
        }
        return out;
    }

    private static Value normalise(Value value) {
        switch (value.getKindCase()) {
            case KIND_NOT_SET:
                return NULL;
            case DOUBLE_VALUE:
                if (!Double.isFinite(value.getDoubleValue())) {
                    throw QdrantErrors.invalidArgument("cannot convert to json number");
                }
                return value;
            case STRUCT_VALUE:
                Struct.Builder struct = Struct.newBuilder();
                for (Map.Entry<String, Value> e : value.getStructValue().getFieldsMap().entrySet()) {
                    struct.putFields(e.getKey(), normalise(e.getValue()));
                }
                return Value.newBuilder().setStructValue(struct).build();
            case LIST_VALUE:
                ListValue.Builder list = ListValue.newBuilder();
                for (Value item : value.getListValue().getValuesList()) {
                    list.addValues(normalise(item));
                }
                return Value.newBuilder().setListValue(list).build();
            default:
                return value;
        }
    }

    /** Qdrant's set-payload merge: top-level keys are replaced, and a JSON {@code null} removes the key. */
    static Map<String, Value> merge(Map<String, Value> existing, Map<String, Value> update) {
        Map<String, Value> out = new LinkedHashMap<>(existing);
        for (Map.Entry<String, Value> e : update.entrySet()) {
            if (e.getValue().getKindCase() == Value.KindCase.NULL_VALUE) {
                out.remove(e.getKey());
            } else {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** A compiled {@link WithPayloadSelector}: none, all, or Qdrant's include/exclude path filtering. */
    static final class Selection {
        static final Selection NONE = new Selection(false, null, null);
        static final Selection ALL = new Selection(true, null, null);

        private final boolean enabled;
        private final List<JsonPath> include;
        private final List<JsonPath> exclude;

        private Selection(boolean enabled, List<JsonPath> include, List<JsonPath> exclude) {
            this.enabled = enabled;
            this.include = include;
            this.exclude = exclude;
        }

        /** Compiles a selector; {@code absent} is what the calling API defaults to when none is sent. */
        static Selection of(boolean present, WithPayloadSelector selector, Selection absent) {
            if (!present) {
                return absent;
            }
            switch (selector.getSelectorOptionsCase()) {
                case ENABLE:
                    return selector.getEnable() ? ALL : NONE;
                case INCLUDE:
                    return new Selection(true, paths(selector.getInclude().getFieldsList()), null);
                case EXCLUDE:
                    return new Selection(true, null, paths(selector.getExclude().getFieldsList()));
                default:
                    throw QdrantErrors.invalidArgument("No PayloadSelector");
            }
        }

        private static List<JsonPath> paths(List<String> fields) {
            List<JsonPath> out = new ArrayList<>(fields.size());
            for (String f : fields) {
                out.add(JsonPath.parse(f));
            }
            return out;
        }

        boolean isEnabled() {
            return enabled;
        }

        Map<String, Value> apply(Map<String, Value> payload) {
            if (!enabled) {
                return Map.of();
            }
            if (include == null && exclude == null) {
                return payload;
            }
            Map<String, Value> out = new LinkedHashMap<>();
            for (Map.Entry<String, Value> e : payload.entrySet()) {
                List<JsonPath.Step> steps = new ArrayList<>();
                if (keep(e.getKey(), steps)) {
                    out.put(e.getKey(), filter(e.getKey(), steps, e.getValue()));
                }
            }
            return out;
        }

        private boolean keep(String firstKey, List<JsonPath.Step> steps) {
            JsonPath key = JsonPath.of(firstKey, steps);
            if (include != null) {
                return include.stream().anyMatch(p -> p.isCompatibleWith(key));
            }
            return exclude.stream().noneMatch(p -> p.isPrefixOf(key));
        }

        private Value filter(String firstKey, List<JsonPath.Step> steps, Value value) {
            switch (value.getKindCase()) {
                case LIST_VALUE: {
                    ListValue.Builder list = ListValue.newBuilder();
                    steps.add(JsonPath.Step.wildcard());
                    for (Value item : value.getListValue().getValuesList()) {
                        if (keep(firstKey, steps)) {
                            list.addValues(filter(firstKey, steps, item));
                        }
                    }
                    steps.remove(steps.size() - 1);
                    return Value.newBuilder().setListValue(list).build();
                }
                case STRUCT_VALUE: {
                    Struct.Builder struct = Struct.newBuilder();
                    for (Map.Entry<String, Value> e : value.getStructValue().getFieldsMap().entrySet()) {
                        steps.add(JsonPath.Step.key(e.getKey()));
                        if (keep(firstKey, steps)) {
                            struct.putFields(e.getKey(), filter(firstKey, steps, e.getValue()));
                        }
                        steps.remove(steps.size() - 1);
                    }
                    return Value.newBuilder().setStructValue(struct).build();
                }
                default:
                    return value;
            }
        }
    }
}
