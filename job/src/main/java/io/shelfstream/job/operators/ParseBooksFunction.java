package io.shelfstream.job.operators;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.BookEventParser;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.ParseResult;

/**
 * Parses {@code books} records into one {@link BookChange} per named book; anything the contract rejects goes
 * to the dead-letter side output with its reason. Never fails on bad input.
 *
 * <p>Metrics: {@code eventsParsed} (valid events), {@code recordsRejected} (all dead letters) and a counter per
 * reason in the group {@code deadLetters} (see {@link DeadLetterCounters}).
 */
public final class ParseBooksFunction extends ProcessFunction<RawRecord, BookChange> {

    private static final long serialVersionUID = 1L;

    private final OutputTag<DeadLetter> deadLetters;
    private final int maxRecordBytes;
    private transient BookEventParser parser;
    private transient Counter rejected;
    private transient Counter eventsParsed;
    private transient DeadLetterCounters reasons;

    public ParseBooksFunction(OutputTag<DeadLetter> deadLetters, int maxRecordBytes) {
        this.deadLetters = deadLetters;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new BookEventParser(maxRecordBytes);
        rejected = getRuntimeContext().getMetricGroup().counter("recordsRejected");
        eventsParsed = getRuntimeContext().getMetricGroup().counter("eventsParsed");
        reasons = DeadLetterCounters.register(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<BookChange> out) {
        ParseResult<BookEvent> parsed = parser.parse(r.value());
        if (!parsed.isOk()) {
            rejected.inc();
            reasons.count(parsed.reason());
            ctx.output(deadLetters, new DeadLetter(parsed.reason(), parsed.detail(), r.topic(), r.partition(),
                    r.offset(), r.timestamp(), r.key(), r.value()));
            return;
        }
        eventsParsed.inc();
        BookEvent e = parsed.value();
        boolean removed = e.eventType() == BookEvent.BookEventType.BOOK_REMOVED;
        for (String bookId : e.bookIds()) {
            out.collect(new BookChange(bookId, removed, e.eventId(), r.topic(), r.partition(), r.offset()));
        }
    }
}
