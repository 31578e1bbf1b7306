package io.shelfstream.schemas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The three input topics of the contract, with their default names, event types and published JSON Schemas.
 *
 * <p>The schema of a topic is the resource {@code io/shelfstream/schemas/json/<topic>.v<version>.schema.json}.
 * A change that rejects anything a previous version accepted gets a new version number and a new file; the old
 * file stays.
 */
public enum EventTopic {
    BOOKS("books", BookEvent.class, BookEvent.BookEventType.values()),
    STUDENTS("students", StudentEvent.class, StudentEvent.StudentEventType.values()),
    CHECKOUTS("checkouts", CheckoutEvent.class, CheckoutEvent.CheckoutEventType.values());

    /** Version of the published schemas this code reads and writes. */
    public static final int SCHEMA_VERSION = 1;

    private final String defaultName;
    private final Class<? extends LibraryEvent> eventClass;
    private final List<String> eventTypes;

    EventTopic(String defaultName, Class<? extends LibraryEvent> eventClass, LibraryEvent.Type[] types) {
        this.defaultName = defaultName;
        this.eventClass = eventClass;
        List<String> names = new ArrayList<>();
        for (LibraryEvent.Type t : types) {
            names.add(t.wireName());
        }
        this.eventTypes = Collections.unmodifiableList(names);
    }

    /** The topic's default name, e.g. {@code books}. */
    public String defaultName() {
        return defaultName;
    }

    /** The record class of the topic's events. */
    public Class<? extends LibraryEvent> eventClass() {
        return eventClass;
    }

    /** The {@code event_type} values the topic defines. */
    public List<String> eventTypes() {
        return eventTypes;
    }

    /**
     * The class-path resource of the topic's JSON Schema, e.g.
     * {@code io/shelfstream/schemas/json/books.v1.schema.json}.
     */
    public String schemaResource() {
        return "io/shelfstream/schemas/json/" + defaultName + ".v" + SCHEMA_VERSION + ".schema.json";
    }

    /** The text of the topic's JSON Schema. */
    public String schema() {
        return CatalogSql.resource("json/" + defaultName + ".v" + SCHEMA_VERSION + ".schema.json");
    }

    /** The topic that defines {@code eventType}, or {@code null}. */
    public static EventTopic definingEventType(String eventType) {
        for (EventTopic t : values()) {
            if (t.eventTypes.contains(eventType)) {
                return t;
            }
        }
        return null;
    }
}
