package io.shelfstream.job.operators;

import java.io.Serializable;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.CheckoutChange;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.job.records.StudentChange;
import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.EventParser;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.LibraryEvent;
import io.shelfstream.schemas.ParseResult;
import io.shelfstream.schemas.StudentEvent;

/**
 * Parses the records of one input topic with {@link EventParser} and turns each valid event into the records the
 * pipeline works with (the event itself, or per-entity changes carrying the source position); a record the
 * contract rejects goes to the dead-letter side output as a {@link DeadLetter} with its reason, source position
 * and original bytes. Never fails on bad input, and never drops a record: each one becomes its output records or
 * one dead letter.
 *
 * <p>Metrics: {@code eventsParsed} (valid events), {@code recordsRejected} (all dead letters) and a counter per
 * reason in the group {@code deadLetters} (see {@link DeadLetterCounters}).
 *
 * <pre>{@code
 * SingleOutputStreamOperator<CheckoutChange> checkouts = raw
 *         .process(ParseEventsFunction.checkoutChanges(DEAD_LETTERS, maxRecordBytes))
 *         .uid("parse-checkouts").name("Parse checkouts events");
 * DataStream<DeadLetter> rejected = checkouts.getSideOutput(DEAD_LETTERS);
 * }</pre>
 *
 * @param <OUT> what a valid event becomes
 */
public final class ParseEventsFunction<OUT> extends ProcessFunction<RawRecord, OUT>
        implements ResultTypeQueryable<OUT> {

    private static final long serialVersionUID = 1L;

    /**
     * Turns one valid event, read from {@code record}, into output records.
     *
     * @param <E>   the topic's event type
     * @param <OUT> the output records
     */
    @FunctionalInterface
    public interface Flattener<E extends LibraryEvent, OUT> extends Serializable {
        void flatten(E event, RawRecord record, Collector<OUT> out);
    }

    private final EventTopic topic;
    private final Flattener<LibraryEvent, OUT> flattener;
    private final TypeInformation<OUT> producedType;
    private final OutputTag<DeadLetter> deadLetters;
    private final int maxRecordBytes;
    private transient EventParser<? extends LibraryEvent> parser;
    private transient DeadLetterCounters reasons;
    private transient Counter parsed;
    private transient Counter rejected;

    @SuppressWarnings("unchecked")
    private <E extends LibraryEvent> ParseEventsFunction(EventTopic topic, Flattener<E, OUT> flattener,
            TypeInformation<OUT> producedType, OutputTag<DeadLetter> deadLetters, int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.topic = topic;
        this.flattener = (Flattener<LibraryEvent, OUT>) flattener;
        this.producedType = producedType;
        this.deadLetters = deadLetters;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Parses {@code books} records into one {@link BookChange} per book an event names (batch events name many). */
    public static ParseEventsFunction<BookChange> bookChanges(OutputTag<DeadLetter> deadLetters, int maxRecordBytes) {
        return new ParseEventsFunction<>(EventTopic.BOOKS, (BookEvent e, RawRecord r, Collector<BookChange> out) -> {
            boolean removed = e.eventType() == BookEvent.BookEventType.BOOK_REMOVED;
            for (String bookId : e.bookIds()) {
                out.collect(new BookChange(bookId, removed, e.eventId(), r.topic(), r.partition(), r.offset()));
            }
        }, TypeInformation.of(BookChange.class), deadLetters, maxRecordBytes);
    }

    /** Parses {@code students} records into one {@link StudentChange} per event. */
    public static ParseEventsFunction<StudentChange> studentChanges(OutputTag<DeadLetter> deadLetters,
            int maxRecordBytes) {
        return new ParseEventsFunction<>(EventTopic.STUDENTS,
                (StudentEvent e, RawRecord r, Collector<StudentChange> out) -> out.collect(new StudentChange(
                        e.studentId(), e.eventType() == StudentEvent.StudentEventType.STUDENT_REMOVED,
                        e.eventId(), r.topic(), r.partition(), r.offset())),
                TypeInformation.of(StudentChange.class), deadLetters, maxRecordBytes);
    }

    /** Parses {@code checkouts} records into one {@link CheckoutChange} per event. */
    public static ParseEventsFunction<CheckoutChange> checkoutChanges(OutputTag<DeadLetter> deadLetters,
            int maxRecordBytes) {
        return new ParseEventsFunction<>(EventTopic.CHECKOUTS,
                (CheckoutEvent e, RawRecord r, Collector<CheckoutChange> out) -> out.collect(new CheckoutChange(
                        e.checkoutId(), e.studentId(), e.bookId(),
                        e.eventType() == CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED,
                        e.occurredAt().toEpochMilli(), e.eventId(), r.topic(), r.partition(), r.offset())),
                TypeInformation.of(CheckoutChange.class), deadLetters, maxRecordBytes);
    }

    /** Parses {@code students} records into {@link StudentEvent}s. */
    public static ParseEventsFunction<StudentEvent> students(OutputTag<DeadLetter> deadLetters, int maxRecordBytes) {
        return new ParseEventsFunction<>(EventTopic.STUDENTS,
                (StudentEvent e, RawRecord r, Collector<StudentEvent> out) -> out.collect(e),
                TypeInformation.of(StudentEvent.class), deadLetters, maxRecordBytes);
    }

    /** Parses {@code checkouts} records into {@link CheckoutEvent}s. */
    public static ParseEventsFunction<CheckoutEvent> checkouts(OutputTag<DeadLetter> deadLetters, int maxRecordBytes) {
        return new ParseEventsFunction<>(EventTopic.CHECKOUTS,
                (CheckoutEvent e, RawRecord r, Collector<CheckoutEvent> out) -> out.collect(e),
                TypeInformation.of(CheckoutEvent.class), deadLetters, maxRecordBytes);
    }

    @Override
    public void open(OpenContext openContext) {
        parser = EventParser.forTopic(topic, maxRecordBytes);
        reasons = DeadLetterCounters.register(getRuntimeContext().getMetricGroup());
        parsed = getRuntimeContext().getMetricGroup().counter("eventsParsed");
        rejected = getRuntimeContext().getMetricGroup().counter("recordsRejected");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<OUT> out) {
        ParseResult<? extends LibraryEvent> result = parser.parse(r.value());
        if (!result.isOk()) {
            reasons.count(result.reason());
            rejected.inc();
            ctx.output(deadLetters, new DeadLetter(result.reason(), result.detail(), r.topic(), r.partition(),
                    r.offset(), r.timestamp(), r.key(), r.value()));
            return;
        }
        parsed.inc();
        flattener.flatten(result.value(), r, out);
    }

    @Override
    public TypeInformation<OUT> getProducedType() {
        return producedType;
    }
}
