package io.shelfstream.job.taste;

/**
 * Keyed state of the book side of the checkout join: the book's current point (vector and payload, as the
 * embedding operator wrote it) and how many checkouts it has had.
 *
 * <p>A Flink POJO (public no-argument constructor, public fields of POJO-serializable types), so Flink serializes
 * it without Kryo and lets fields be added or removed between job versions (state schema evolution).
 */
public class BookVector {

    /** The collection (or alias) the book's point belongs to. */
    public String collection;
    /** The book's vector, unit length. */
    public float[] vector;
    /** The point's payload as the embedding operator wrote it (without {@code checkout_count}). */
    public String payloadJson;
    /** {@code checkout_created} events joined with this book so far. */
    public long checkoutCount;

    /** For Flink's POJO serializer. */
    public BookVector() {
    }

    BookVector(String collection, float[] vector, String payloadJson, long checkoutCount) {
        this.collection = collection;
        this.vector = vector;
        this.payloadJson = payloadJson;
        this.checkoutCount = checkoutCount;
    }
}
