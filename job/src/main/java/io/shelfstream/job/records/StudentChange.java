package io.shelfstream.job.records;

/**
 * One student affected by a {@code students} event, or one catalog row read by a backfill ({@link #backfill}).
 *
 * @param studentId the student
 * @param removed   true for {@code student_removed}
 * @param eventId   the source event ({@value BookChange#BACKFILL} for a backfill row)
 * @param topic     source topic ({@value BookChange#BACKFILL} for a backfill row)
 * @param partition source partition (-1 for a backfill row)
 * @param offset    source offset (-1 for a backfill row)
 */
public record StudentChange(String studentId, boolean removed, String eventId, String topic, int partition,
        long offset) {

    /** The change a backfill makes for a catalog row. */
    public static StudentChange backfill(String studentId) {
        return new StudentChange(studentId, false, BookChange.BACKFILL, BookChange.BACKFILL, -1, -1L);
    }

    /** Whether this change comes from a catalog backfill rather than an event. */
    public boolean isBackfill() {
        return BookChange.BACKFILL.equals(topic) && partition < 0;
    }

    /** Where the change came from: {@code topic/partition/offset}, or {@value BookChange#BACKFILL}. */
    public String position() {
        return isBackfill() ? BookChange.BACKFILL : topic + "/" + partition + "/" + offset;
    }
}
