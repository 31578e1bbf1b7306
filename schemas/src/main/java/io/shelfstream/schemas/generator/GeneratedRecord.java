package io.shelfstream.schemas.generator;

import java.nio.charset.StandardCharsets;

import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.LibraryEvent;

/**
 * One generated Kafka record: a valid event, or a malformed record with the reason the job must reject it for.
 *
 * @param topic          the topic it belongs on
 * @param key            the record key (the entity id)
 * @param value          the record value
 * @param event          the event the value encodes; {@code null} for a malformed record
 * @param expectedReason why the job rejects it; {@code null} for a valid event
 */
public record GeneratedRecord(
        EventTopic topic, String key, byte[] value, LibraryEvent event, DeadLetterReason expectedReason) {

    /** Whether the record is malformed on purpose. */
    public boolean isMalformed() {
        return expectedReason != null;
    }

    /** The key as UTF-8 bytes. */
    public byte[] keyBytes() {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
