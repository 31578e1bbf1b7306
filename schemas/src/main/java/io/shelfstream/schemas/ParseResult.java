package io.shelfstream.schemas;

import java.util.Objects;

/**
 * The outcome of parsing one record: either a typed value or the reason it was rejected.
 *
 * @param <T> the parsed type
 */
public final class ParseResult<T> {

    private final T value;
    private final DeadLetterReason reason;
    private final String detail;

    private ParseResult(T value, DeadLetterReason reason, String detail) {
        this.value = value;
        this.reason = reason;
        this.detail = detail;
    }

    /** A successful parse. */
    public static <T> ParseResult<T> ok(T value) {
        return new ParseResult<>(Objects.requireNonNull(value), null, null);
    }

    /** A rejected record. */
    public static <T> ParseResult<T> rejected(DeadLetterReason reason, String detail) {
        return new ParseResult<>(null, Objects.requireNonNull(reason), Objects.requireNonNull(detail));
    }

    /** Whether the record parsed. */
    public boolean isOk() {
        return value != null;
    }

    /** The parsed value; only when {@link #isOk()}. */
    public T value() {
        if (value == null) {
            throw new IllegalStateException("rejected record has no value: " + reason + " " + detail);
        }
        return value;
    }

    /** Why the record was rejected; only when not {@link #isOk()}. */
    public DeadLetterReason reason() {
        return reason;
    }

    /** A human-readable explanation of the rejection. */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return isOk() ? "ok(" + value + ")" : "rejected(" + reason.wireName() + ": " + detail + ")";
    }
}
