package io.shelfstream.schemas;

/**
 * Parses the value of a {@code books} record into a {@link BookEvent}, rejecting anything the contract does not
 * allow with a specific {@link DeadLetterReason}. Never throws on bad input.
 *
 * <p>The {@code books} case of {@link EventParser}, which documents the rules. Thread-safe.
 */
public final class BookEventParser {

    /** Default upper bound of a record value, in bytes. */
    public static final int DEFAULT_MAX_RECORD_BYTES = EventParser.DEFAULT_MAX_RECORD_BYTES;

    private final EventParser<BookEvent> parser;

    /** A parser with {@link #DEFAULT_MAX_RECORD_BYTES}. */
    public BookEventParser() {
        this(DEFAULT_MAX_RECORD_BYTES);
    }

    /** A parser that rejects values larger than {@code maxRecordBytes}. */
    public BookEventParser(int maxRecordBytes) {
        this.parser = EventParser.books(maxRecordBytes);
    }

    /** Parses one record value. */
    public ParseResult<BookEvent> parse(byte[] value) {
        return parser.parse(value);
    }
}
