package io.shelfstream.schemas;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A record that could not be processed, with where it came from and why, for the dead-letter topic.
 *
 * <p>The original key and value are kept byte for byte (base64 on the wire) so the record can be replayed
 * once its cause is fixed. The JSON form is published as
 * {@code io/shelfstream/schemas/json/dead-letter.v1.schema.json}.
 *
 * @param reason    machine-readable reason
 * @param detail    human-readable explanation
 * @param topic     source topic
 * @param partition source partition
 * @param offset    source offset
 * @param timestamp source record timestamp (epoch millis)
 * @param key       original key bytes, may be null
 * @param value     original value bytes, may be null
 */
public record DeadLetter(
        DeadLetterReason reason,
        String detail,
        String topic,
        int partition,
        long offset,
        long timestamp,
        byte[] key,
        byte[] value) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The dead-letter record as UTF-8 JSON, the value written to the dead-letter topic. */
    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reason", reason.wireName());
        m.put("detail", detail);
        m.put("topic", topic);
        m.put("partition", partition);
        m.put("offset", offset);
        m.put("timestamp", timestamp);
        m.put("key_base64", key == null ? null : Base64.getEncoder().encodeToString(key));
        m.put("value_base64", value == null ? null : Base64.getEncoder().encodeToString(value));
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a dead letter", e);
        }
    }

    /** Reads a dead-letter record written by {@link #toJson()}; fails with a message when it is not one. */
    public static DeadLetter fromJson(byte[] json) {
        try {
            JsonNode n = JSON.readTree(json);
            DeadLetterReason reason = DeadLetterReason.fromWireName(n.path("reason").asText());
            if (reason == null) {
                throw new IllegalArgumentException("Not a dead-letter record: unknown reason " + n.get("reason"));
            }
            return new DeadLetter(reason, n.path("detail").asText(), n.path("topic").asText(),
                    n.path("partition").asInt(), n.path("offset").asLong(), n.path("timestamp").asLong(),
                    base64(n.get("key_base64")), base64(n.get("value_base64")));
        } catch (IOException e) {
            throw new IllegalArgumentException("Not a dead-letter record: " + e.getMessage(), e);
        }
    }

    private static byte[] base64(JsonNode n) {
        return n == null || n.isNull() ? null : Base64.getDecoder().decode(n.asText());
    }
}
