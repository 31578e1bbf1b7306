package io.shelfstream.schemas;

import java.time.Instant;

/**
 * An event of one of the three input topics: {@link BookEvent}, {@link StudentEvent} or {@link CheckoutEvent}.
 *
 * <p>Every event has an {@code event_id}, an {@code event_type} and an {@code occurred_at} time, plus the ids of
 * the entities it is about. Catalog fields are never part of an event: the job reads them from PostgreSQL.
 * {@link EventParser} reads events strictly from record bytes; {@link EventJson} writes them.
 */
public sealed interface LibraryEvent permits BookEvent, StudentEvent, CheckoutEvent {

    /** Unique id of the event, as written upstream. */
    String eventId();

    /** What happened. */
    Type eventType();

    /** When it happened upstream. */
    Instant occurredAt();

    /** The topic the event belongs to. */
    EventTopic topic();

    /** The Kafka record key the contract prescribes: the id of the entity the event is about. */
    String key();

    /** An event type with its wire name (the value of {@code event_type}). */
    interface Type {
        /** The value of {@code event_type} on the wire. */
        String wireName();
    }
}
