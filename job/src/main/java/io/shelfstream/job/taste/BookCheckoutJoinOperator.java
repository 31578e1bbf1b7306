package io.shelfstream.job.taste;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.job.records.CheckoutChange;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EventJson;

/**
 * The book side of the checkout join, keyed by the book's point id: input 1 is the book points the embedding
 * operator writes, input 2 the checkouts of those books. No model call happens here.
 *
 * <ul>
 *   <li>A book upsert is kept as the book's current vector and payload; a book delete clears them, leaves a
 *       removal marker (kept for {@link TasteSettings#idleStateTtl}) and passes the delete on.
 *   <li>A {@code checkout_created} of a book with a vector bumps the book's {@code checkout_count} and emits a
 *       {@link TasteContribution} (the book's current vector) to the {@link #TASTE_CONTRIBUTIONS} side output,
 *       for the student's aggregate. A checkout of a book without a vector yet waits in state, at most
 *       {@link TasteSettings#checkoutMaxWait}, and is released when the vector comes; if it does not come, or the
 *       book was removed, the checkout goes to the dead-letter output as {@code book_vector_missing}.
 *   <li>{@code checkout_returned} changes nothing (a returned book still counts towards the taste) and is counted.
 *   <li>Book points (the embedding's payload plus {@code checkout_count}) are written once per checkpoint per
 *       changed book ({@link CompactingKeyedOperator}).
 * </ul>
 * Once the book input has ended (a bounded run), no vector can come any more: waiting checkouts are
 * dead-lettered at once.
 *
 * <p>Metrics: {@code checkoutsJoined}, {@code checkoutsDeferred} (had to wait), {@code checkoutsReturned},
 * {@code checkoutsMissingBook} (dead letters), {@code bookPointsWritten}.
 */
public final class BookCheckoutJoinOperator extends CompactingKeyedOperator<PointWrite>
        implements TwoInputStreamOperator<PointWrite, CheckoutChange, PointWrite>, BoundedMultiInput,
        Triggerable<Object, VoidNamespace> {

    private static final long serialVersionUID = 1L;

    /** Where joined checkouts go, towards the student's taste aggregate. */
    public static final OutputTag<TasteContribution> TASTE_CONTRIBUTIONS =
            new OutputTag<>("taste-contributions", TasteContributionTypeInfo.INSTANCE);

    static final String BOOK_STATE = "book-vector";
    static final String REMOVED_STATE = "book-removed-at";
    static final String WAITING_STATE = "waiting-checkouts";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TasteSettings settings;
    private final OutputTag<DeadLetter> deadLetters;

    private transient BufferedValue<BookVector> book;
    private transient ValueState<Long> removedAt;
    private transient ListState<PendingCheckout> waiting;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient boolean booksEnded;
    private transient Counter joined;
    private transient Counter deferred;
    private transient Counter returned;
    private transient Counter missingBook;
    private transient Counter pointsWritten;

    /**
     * Creates the operator.
     *
     * @param settings    the checkout wait and the removal marker's time to live
     * @param deadLetters the side output for checkouts whose book never gets a vector
     */
    public BookCheckoutJoinOperator(TasteSettings settings, OutputTag<DeadLetter> deadLetters) {
        this.settings = settings;
        this.deadLetters = deadLetters;
    }

    @Override
    public void open() throws Exception {
        super.open();
        book = buffered(getRuntimeContext().getState(new ValueStateDescriptor<>(BOOK_STATE,
                TypeInformation.of(BookVector.class))));
        ValueStateDescriptor<Long> removed = new ValueStateDescriptor<>(REMOVED_STATE, Types.LONG);
        removed.enableTimeToLive(StateTtlConfig.newBuilder(settings.idleStateTtl()).build());
        removedAt = getRuntimeContext().getState(removed);
        waiting = getRuntimeContext().getListState(new ListStateDescriptor<>(WAITING_STATE,
                TypeInformation.of(PendingCheckout.class)));
        timers = getInternalTimerService("checkout-wait", VoidNamespaceSerializer.INSTANCE, this);
        joined = getMetricGroup().counter("checkoutsJoined");
        deferred = getMetricGroup().counter("checkoutsDeferred");
        returned = getMetricGroup().counter("checkoutsReturned");
        missingBook = getMetricGroup().counter("checkoutsMissingBook");
        pointsWritten = getMetricGroup().counter("bookPointsWritten");
    }

    @Override
    public void processElement1(StreamRecord<PointWrite> record) throws Exception {
        PointWrite write = record.getValue();
        if (write.delete()) {
            book.clear();
            removedAt.update(timers.currentProcessingTime());
            clearDirty();
            output.collect(record);
            rejectWaiting(record.getTimestamp(), "was removed before a vector reached the checkout");
            return;
        }
        BookVector current = book.value();
        BookVector next = new BookVector(write.collection(), write.vector(), write.payloadJson(),
                current == null ? 0L : current.checkoutCount);
        removedAt.clear();
        for (PendingCheckout p : waiting.get()) {
            contribute(p.checkout(), next, record.getTimestamp());
        }
        waiting.clear();
        book.update(next);
        markDirty();
    }

    @Override
    public void processElement2(StreamRecord<CheckoutChange> record) throws Exception {
        CheckoutChange checkout = record.getValue();
        if (!checkout.created()) {
            returned.inc();
            return;
        }
        BookVector current = book.value();
        if (current != null) {
            contribute(checkout, current, record.getTimestamp());
            book.update(current);
            markDirty();
        } else if (removedAt.value() != null) {
            deadLetter(checkout, record.getTimestamp(), "was removed from the catalog");
        } else if (booksEnded) {
            deadLetter(checkout, record.getTimestamp(), "has no vector and the books input has ended");
        } else {
            long deadline = timers.currentProcessingTime() + settings.checkoutMaxWait().toMillis();
            waiting.add(new PendingCheckout(checkout, deadline));
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, deadline);
            deferred.inc();
        }
    }

    private void contribute(CheckoutChange checkout, BookVector target, long timestamp) {
        target.checkoutCount++;
        joined.inc();
        output.collect(TASTE_CONTRIBUTIONS, new StreamRecord<>(new TasteContribution(checkout.studentId(),
                checkout.bookId(), checkout.occurredAtMillis(), target.vector), timestamp));
    }

    @Override
    public void onProcessingTime(InternalTimer<Object, VoidNamespace> timer) throws Exception {
        List<PendingCheckout> keep = new ArrayList<>();
        for (PendingCheckout p : waiting.get()) {
            if (p.deadline() <= timer.getTimestamp()) {
                deadLetter(p.checkout(), timer.getTimestamp(), "got no vector within checkouts.max-wait ("
                        + settings.checkoutMaxWait() + ")");
            } else {
                keep.add(p);
            }
        }
        waiting.update(keep);
    }

    @Override
    public void onEventTime(InternalTimer<Object, VoidNamespace> timer) {
        // no event-time timers are registered
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId != 1) {
            return;
        }
        // no vector can come any more: every waiting checkout is final
        booksEnded = true;
        List<Object> keys = new ArrayList<>();
        try (var stream = getKeyedStateBackend().getKeys(WAITING_STATE, VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        for (Object key : keys) {
            setCurrentKey(key);
            rejectWaiting(null, "has no vector and the books input has ended");
        }
    }

    private void rejectWaiting(Long timestamp, String why) throws Exception {
        for (PendingCheckout p : waiting.get()) {
            deadLetter(p.checkout(), timestamp, why);
        }
        waiting.clear();
    }

    private void deadLetter(CheckoutChange c, Long timestamp, String why) {
        missingBook.inc();
        CheckoutEvent event = new CheckoutEvent(c.eventId(), CheckoutEvent.CheckoutEventType.CHECKOUT_CREATED,
                Instant.ofEpochMilli(c.occurredAtMillis()), c.checkoutId(), c.studentId(), c.bookId());
        long ts = timestamp == null ? 0L : timestamp;
        output.collect(deadLetters, new StreamRecord<>(new DeadLetter(DeadLetterReason.BOOK_VECTOR_MISSING,
                "book '" + c.bookId() + "' of checkout '" + c.checkoutId() + "' " + why,
                c.topic(), c.partition(), c.offset(), ts, c.checkoutId().getBytes(StandardCharsets.UTF_8),
                EventJson.toBytes(event)), ts));
    }

    @Override
    protected void emitPoint() throws Exception {
        BookVector b = book.value();
        if (b == null) {
            return;
        }
        ObjectNode payload = (ObjectNode) JSON.readTree(b.payloadJson);
        payload.put("checkout_count", b.checkoutCount);
        output.collect(new StreamRecord<>(new PointWrite(b.collection, (String) getCurrentKey(), false, b.vector,
                JSON.writeValueAsString(payload))));
        pointsWritten.inc();
    }
}
