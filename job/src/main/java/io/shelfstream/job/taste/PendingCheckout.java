package io.shelfstream.job.taste;

import io.shelfstream.job.records.CheckoutChange;

/**
 * A checkout waiting in keyed state for its book's first vector, until {@code deadline} (processing time).
 *
 * @param checkout the checkout
 * @param deadline when it is dead-lettered as {@code book_vector_missing} if the vector has not come, epoch ms
 */
public record PendingCheckout(CheckoutChange checkout, long deadline) {
}
