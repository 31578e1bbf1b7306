package io.shelfstream.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonMappingException;

/** Thrown by the deserializers of {@link EventJson#module()} when a value breaks the event contract. */
public final class InvalidEventException extends JsonMappingException {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    InvalidEventException(JsonParser parser, DeadLetterReason reason, String detail) {
        super(parser, reason.wireName() + ": " + detail);
        this.reason = reason;
    }

    /** Why the value was rejected, as the dead-letter topic would say. */
    public DeadLetterReason reason() {
        return reason;
    }
}
