package io.shelfstream.job.records;

/**
 * A Kafka record as read, before parsing: where it came from and its bytes.
 *
 * <p>Keeping the position and the original bytes is what lets a bad record reach the dead-letter topic intact.
 */
public record RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
}
