package io.shelfstream.job.records;

/**
 * One book affected by a {@code books} event (a batch event yields one change per book), or one catalog row read by
 * a backfill ({@link #backfill}).
 *
 * @param bookId    the book
 * @param removed   true for {@code book_removed}
 * @param eventId   the source event ({@value #BACKFILL} for a backfill row)
 * @param topic     source topic ({@value #BACKFILL} for a backfill row)
 * @param partition source partition (-1 for a backfill row)
 * @param offset    source offset (-1 for a backfill row)
 */
public record BookChange(String bookId, boolean removed, String eventId, String topic, int partition, long offset) {

    /** The event id, topic and source position of changes that come from a catalog backfill. */
    public static final String BACKFILL = "backfill";

    /** The change a backfill makes for a catalog row. */
    public static BookChange backfill(String bookId) {
        return new BookChange(bookId, false, BACKFILL, BACKFILL, -1, -1L);
    }

    /** Whether this change comes from a catalog backfill rather than an event. */
    public boolean isBackfill() {
        return BACKFILL.equals(topic) && partition < 0;
    }

    /** Where the change came from: {@code topic/partition/offset}, or {@value #BACKFILL}. */
    public String position() {
        return isBackfill() ? BACKFILL : topic + "/" + partition + "/" + offset;
    }
}
