package io.shelfstream.connectors.local.qdrant;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.qdrant.client.grpc.JsonWithInt.Value;

/**
 * A payload key path in Qdrant's syntax: {@code a.b}, {@code a[].b}, {@code a[0]}, {@code "quoted.key"}.
 *
 * <p>Keys are runs of letters, digits, {@code _} and {@code -}, or double-quoted strings. A plain
 * {@code .key} step does not descend into arrays; {@code []} does, and {@code [n]} picks one element, as
 * in Qdrant.
 */
final class JsonPath {

    /** One step after the first key. */
    static final class Step {
        final String key;
        final int index;

        private Step(String key, int index) {
            this.key = key;
            this.index = index;
        }

        static Step key(String key) {
            return new Step(key, -1);
        }

        static Step index(int index) {
            return new Step(null, index);
        }

        static Step wildcard() {
            return new Step(null, -2);
        }

        boolean isKey() {
            return key != null;
        }

        boolean isWildcard() {
            return key == null && index == -2;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Step && java.util.Objects.equals(key, ((Step) o).key) && index == ((Step) o).index;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(key, index);
        }
    }

    private final String text;
    private final String firstKey;
    private final List<Step> rest;

    private JsonPath(String text, String firstKey, List<Step> rest) {
        this.text = text;
        this.firstKey = firstKey;
        this.rest = rest;
    }

    /** Parses {@code text}, failing with Qdrant's INVALID_ARGUMENT "Invalid json path" on bad syntax. */
    static JsonPath parse(String text) {
        JsonPath path = tryParse(text);
        if (path == null) {
            throw QdrantErrors.invalidArgument("Invalid json path: '" + text + "'");
        }
        return path;
    }

    /** Parses {@code text}; returns {@code null} if it is not a valid path. */
    static JsonPath tryParse(String text) {
        int[] pos = {0};
        String first = readRawKey(text, pos);
        if (first == null) {
            first = readQuotedKey(text, pos);
        }
        if (first == null) {
            return null;
        }
        List<Step> steps = new ArrayList<>();
        while (pos[0] < text.length()) {
            char c = text.charAt(pos[0]);
            if (c == '.') {
                pos[0]++;
                String key = readRawKey(text, pos);
                if (key == null) {
                    key = readQuotedKey(text, pos);
                }
                if (key == null) {
                    return null;
                }
                steps.add(Step.key(key));
            } else if (c == '[') {
                int close = text.indexOf(']', pos[0]);
                if (close < 0) {
                    return null;
                }
                String inner = text.substring(pos[0] + 1, close);
                if (inner.isEmpty()) {
                    steps.add(Step.wildcard());
                } else {
                    if (!inner.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                        return null;
                    }
                    try {
                        steps.add(Step.index(Integer.parseInt(inner)));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                pos[0] = close + 1;
            } else {
                return null;
            }
        }
        return new JsonPath(text, first, Collections.unmodifiableList(steps));
    }

    private static String readRawKey(String text, int[] pos) {
        int start = pos[0];
        int i = start;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            if (!isRawKeyChar(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        if (i == start) {
            return null;
        }
        pos[0] = i;
        return text.substring(start, i);
    }

    private static boolean isRawKeyChar(int cp) {
        if (cp == '_' || cp == '-' || Character.isAlphabetic(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    private static String readQuotedKey(String text, int[] pos) {
        int start = pos[0];
        if (start >= text.length() || text.charAt(start) != '"') {
            return null;
        }
        int i = start + 1;
        while (i < text.length() && text.charAt(i) != '"') {
            if (text.charAt(i) == '\\') {
                return null;
            }
            i++;
        }
        if (i >= text.length()) {
            return null;
        }
        pos[0] = i + 1;
        return text.substring(start + 1, i);
    }

    String text() {
        return text;
    }

    String firstKey() {
        return firstKey;
    }

    List<Step> rest() {
        return rest;
    }

    /** This path with a trailing {@code []}, as Qdrant's nested conditions use it. */
    JsonPath withArraySuffix() {
        if (!rest.isEmpty() && rest.get(rest.size() - 1).isWildcard()) {
            return this;
        }
        List<Step> steps = new ArrayList<>(rest);
        steps.add(Step.wildcard());
        return new JsonPath(text + "[]", firstKey, Collections.unmodifiableList(steps));
    }

    /** All values at this path; empty if the path leads nowhere. */
    List<Value> values(Map<String, Value> payload) {
        Value first = payload.get(firstKey);
        if (first == null) {
            return List.of();
        }
        List<Value> out = new ArrayList<>(1);
        collect(first, 0, out);
        return out;
    }

    private void collect(Value value, int step, List<Value> out) {
        if (step == rest.size()) {
            out.add(value);
            return;
        }
        Step s = rest.get(step);
        if (s.isKey()) {
            if (value.getKindCase() == Value.KindCase.STRUCT_VALUE) {
                Value next = value.getStructValue().getFieldsMap().get(s.key);
                if (next != null) {
                    collect(next, step + 1, out);
                }
            }
        } else if (value.getKindCase() == Value.KindCase.LIST_VALUE) {
            List<Value> items = value.getListValue().getValuesList();
            if (s.isWildcard()) {
                for (Value item : items) {
                    collect(item, step + 1, out);
                }
            } else if (s.index < items.size()) {
                collect(items.get(s.index), step + 1, out);
            }
        }
    }

    /** Qdrant's include rule: the two paths agree on every step they both have. */
    boolean isCompatibleWith(JsonPath key) {
        if (!firstKey.equals(key.firstKey)) {
            return false;
        }
        int common = Math.min(rest.size(), key.rest.size());
        for (int i = 0; i < common; i++) {
            if (!rest.get(i).equals(key.rest.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Qdrant's exclude rule: {@code key} is this path or lies below it. */
    boolean isPrefixOf(JsonPath key) {
        if (!firstKey.equals(key.firstKey) || key.rest.size() < rest.size()) {
            return false;
        }
        for (int i = 0; i < rest.size(); i++) {
            if (!rest.get(i).equals(key.rest.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A path built from raw steps, used while walking a payload. */
    static JsonPath of(String firstKey, List<Step> steps) {
        return new JsonPath(firstKey, firstKey, List.copyOf(steps));
    }

    @Override
    public String toString() {
        return text;
    }
}
