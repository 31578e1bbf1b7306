package io.shelfstream.job.operators;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.shelfstream.job.records.RawRecord;
import io.shelfstream.job.records.StudentChange;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.EventParser;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.LibraryEvent;
import io.shelfstream.schemas.ParseResult;
import io.shelfstream.schemas.StudentEvent;

/**
 * Parses {@code students} records (validated exactly like {@link ParseEventsFunction#students}) and flattens each
 * valid event into the per-student {@link StudentChange} (add/update or removal) with its source position, which
 * the point payload ({@code source}) and a later {@code catalog_row_missing} dead letter need. Anything the
 * contract rejects goes to the dead-letter side output with its reason. Never fails on bad input.
 *
 * <p>Metrics: {@code eventsParsed} (valid events), {@code recordsRejected} (all dead letters) and a counter per
 * reason in the group {@code deadLetters} (see {@link DeadLetterCounters}), as for the other topics.
 */
public final class ParseStudentsFunction extends ProcessFunction<RawRecord, StudentChange> {

    private static final long serialVersionUID = 1L;

    private final OutputTag<DeadLetter> deadLetters;
    private final int maxRecordBytes;
    private transient EventParser<? extends LibraryEvent> parser;
    private transient Counter rejected;
    private transient Counter eventsParsed;
    private transient DeadLetterCounters reasons;

    public ParseStudentsFunction(OutputTag<DeadLetter> deadLetters, int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.deadLetters = deadLetters;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = EventParser.forTopic(EventTopic.STUDENTS, maxRecordBytes);
        rejected = getRuntimeContext().getMetricGroup().counter("recordsRejected");
        eventsParsed = getRuntimeContext().getMetricGroup().counter("eventsParsed");
        reasons = DeadLetterCounters.register(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<StudentChange> out) {
        ParseResult<? extends LibraryEvent> parsed = parser.parse(r.value());
        if (!parsed.isOk()) {
            rejected.inc();
            reasons.count(parsed.reason());
            ctx.output(deadLetters, new DeadLetter(parsed.reason(), parsed.detail(), r.topic(), r.partition(),
                    r.offset(), r.timestamp(), r.key(), r.value()));
            return;
        }
        eventsParsed.inc();
        out.collect(change((StudentEvent) parsed.value(), r));
    }

    /** The change a valid event stands for, at the record's position. */
    static StudentChange change(StudentEvent e, RawRecord r) {
        boolean removed = e.eventType() == StudentEvent.StudentEventType.STUDENT_REMOVED;
        return new StudentChange(e.studentId(), removed, e.eventId(), r.topic(), r.partition(), r.offset());
    }
}
