package io.shelfstream.job.records;

/**
 * One valid {@code checkouts} event, flattened, with its source position (which a later
 * {@code book_vector_missing} dead letter names).
 *
 * @param checkoutId       the checkout
 * @param studentId        the student
 * @param bookId           the book
 * @param created          true for {@code checkout_created}, false for {@code checkout_returned}
 * @param occurredAtMillis the event's {@code occurred_at}, epoch milliseconds
 * @param eventId          the source event
 * @param topic            source topic
 * @param partition        source partition
 * @param offset           source offset
 */
public record CheckoutChange(String checkoutId, String studentId, String bookId, boolean created,
        long occurredAtMillis, String eventId, String topic, int partition, long offset) {
}
