package io.shelfstream.schemas;

import java.time.Instant;

/**
 * One event of the {@code students} topic: a student added, updated or removed. The profile (grade, interests,
 * preferred genres) is catalog data the job reads from PostgreSQL.
 *
 * <pre>{@code
 * {"event_id":"1b7f...","event_type":"student_updated","occurred_at":"2026-09-01T08:00:00Z","student_id":"s-42"}
 * }</pre>
 *
 * @param eventId    unique id of the event, as written upstream
 * @param eventType  what happened
 * @param occurredAt when it happened upstream
 * @param studentId  the student
 */
public record StudentEvent(String eventId, StudentEventType eventType, Instant occurredAt, String studentId)
        implements LibraryEvent {

    /** Checks the contract: valid ids and a time in the years 0000-9999. */
    public StudentEvent {
        EventFields.requireId("eventId", eventId);
        if (eventType == null) {
            throw new NullPointerException("eventType");
        }
        EventFields.requireTime(occurredAt);
        EventFields.requireId("studentId", studentId);
    }

    @Override
    public EventTopic topic() {
        return EventTopic.STUDENTS;
    }

    @Override
    public String key() {
        return studentId;
    }

    /** The kinds of {@code students} events, with their wire names. */
    public enum StudentEventType implements LibraryEvent.Type {
        STUDENT_ADDED("student_added"),
        STUDENT_UPDATED("student_updated"),
        STUDENT_REMOVED("student_removed");

        private final String wireName;

        StudentEventType(String wireName) {
            this.wireName = wireName;
        }

        @Override
        public String wireName() {
            return wireName;
        }

        /** The type with the given wire name, or {@code null} when there is none. */
        public static StudentEventType fromWireName(String name) {
            for (StudentEventType t : values()) {
                if (t.wireName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }
}
