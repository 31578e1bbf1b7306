package io.shelfstream.job.records;

/**
 * One book affected by a {@code books} event (a batch event yields one change per book).
 *
 * @param bookId    the book
 * @param removed   true for {@code book_removed}
 * @param eventId   the source event
 * @param topic     source topic
 * @param partition source partition
 * @param offset    source offset
 */
public record BookChange(String bookId, boolean removed, String eventId, String topic, int partition, long offset) {
}
