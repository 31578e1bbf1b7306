package io.shelfstream.job.operators;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.shelfstream.job.records.RawRecord;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.EventParser;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.LibraryEvent;
import io.shelfstream.schemas.ParseResult;
import io.shelfstream.schemas.StudentEvent;

/**
 * Parses the records of one input topic into typed events with {@link EventParser}; a record the contract rejects
 * goes to the dead-letter side output as a {@link DeadLetter} with its reason, source position and original bytes.
 * Never fails on bad input, and never drops a record: each one becomes exactly one event or one dead letter.
 *
 * <p>Metrics: {@code eventsParsed} (valid events), {@code recordsRejected} (all dead letters) and a counter per
 * reason in the group {@code deadLetters} (see {@link DeadLetterCounters}).
 *
 * <pre>{@code
 * SingleOutputStreamOperator<StudentEvent> students = raw
 *         .process(ParseEventsFunction.students(DEAD_LETTERS, maxRecordBytes))
 *         .uid("parse-students").name("Parse students events");
 * DataStream<DeadLetter> rejected = students.getSideOutput(DEAD_LETTERS);
 * }</pre>
 *
 * @param <T> the topic's event type
 */
public final class ParseEventsFunction<T extends LibraryEvent> extends ProcessFunction<RawRecord, T>
        implements ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final EventTopic topic;
    private final Class<T> eventClass;
    private final OutputTag<DeadLetter> deadLetters;
    private final int maxRecordBytes;
    private transient EventParser<? extends LibraryEvent> parser;
    private transient DeadLetterCounters reasons;
    private transient Counter parsed;
    private transient Counter rejected;

    private ParseEventsFunction(EventTopic topic, Class<T> eventClass, OutputTag<DeadLetter> deadLetters,
            int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.topic = topic;
        this.eventClass = eventClass;
        this.deadLetters = deadLetters;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Parses {@code students} records. */
    public static ParseEventsFunction<StudentEvent> students(OutputTag<DeadLetter> deadLetters, int maxRecordBytes) {
        return new ParseEventsFunction<>(EventTopic.STUDENTS, StudentEvent.class, deadLetters, maxRecordBytes);
    }

    /** Parses {@code checkouts} records. */
    public static ParseEventsFunction<CheckoutEvent> checkouts(OutputTag<DeadLetter> deadLetters, int maxRecordBytes) {
        return new ParseEventsFunction<>(EventTopic.CHECKOUTS, CheckoutEvent.class, deadLetters, maxRecordBytes);
    }

    @Override
    public void open(OpenContext openContext) {
        parser = EventParser.forTopic(topic, maxRecordBytes);
        reasons = DeadLetterCounters.register(getRuntimeContext().getMetricGroup());
        parsed = getRuntimeContext().getMetricGroup().counter("eventsParsed");
        rejected = getRuntimeContext().getMetricGroup().counter("recordsRejected");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<T> out) {
        ParseResult<? extends LibraryEvent> result = parser.parse(r.value());
        if (!result.isOk()) {
            reasons.count(result.reason());
            rejected.inc();
            ctx.output(deadLetters, new DeadLetter(result.reason(), result.detail(), r.topic(), r.partition(),
                    r.offset(), r.timestamp(), r.key(), r.value()));
            return;
        }
        parsed.inc();
        out.collect(eventClass.cast(result.value()));
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(eventClass);
    }
}
