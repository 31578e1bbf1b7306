package io.shelfstream.job.records;

/**
 * One student affected by a {@code students} event.
 *
 * @param studentId the student
 * @param removed   true for {@code student_removed}
 * @param eventId   the source event
 * @param topic     source topic
 * @param partition source partition
 * @param offset    source offset
 */
public record StudentChange(String studentId, boolean removed, String eventId, String topic, int partition,
        long offset) {
}
