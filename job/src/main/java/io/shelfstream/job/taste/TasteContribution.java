package io.shelfstream.job.taste;

/**
 * A checked-out book's vector on its way from the book side of the join to the student's taste aggregate: what
 * one {@code checkout_created} adds to a taste vector, with no model call.
 *
 * @param studentId        the student who checked the book out
 * @param bookId           the book
 * @param occurredAtMillis the checkout's {@code occurred_at}, epoch milliseconds (drives the recency weight)
 * @param vector           the book's vector when the checkout was joined (unit length, 384 floats)
 */
public record TasteContribution(String studentId, String bookId, long occurredAtMillis, float[] vector) {
}
