package io.shelfstream.job.taste;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shelfstream.connectors.qdrant.PointWrite;

/**
 * The student side of the taste vector, keyed by the student's point id: input 1 is the student points the
 * embedding operator writes (the profile vector), input 2 the {@link TasteContribution}s of the student's
 * checkouts. Writes each changed student's point once per checkpoint ({@link CompactingKeyedOperator}) with the
 * taste vector of {@link StudentTaste#tasteVector} and the profile payload plus {@code checkout_count},
 * {@code recent_book_ids} (newest first), {@code last_checkout_at} and {@code taste_source}
 * ({@code profile} before the first checkout, {@code profile+checkouts} after).
 *
 * <p>A student without a profile (the catalog has not sent it yet, or removed it) has no point: the checkouts
 * are aggregated in a separate state with a time to live ({@link TasteSettings#idleStateTtl}) and adopted when
 * the profile comes. A profile delete clears the student's state and passes the delete on.
 *
 * <p>The blend is applied when a point is written, from the stored profile vector and checkout sum. After a
 * restore with another {@code taste.profile-weight}, every student point written with the old weight is rewritten
 * before the first checkpoint completes.
 *
 * <p>Metrics: {@code tasteUpdates} (checkouts aggregated), {@code checkoutsWithoutProfile},
 * {@code studentPointsWritten}.
 */
public final class StudentTasteOperator extends CompactingKeyedOperator<PointWrite>
        implements TwoInputStreamOperator<PointWrite, TasteContribution, PointWrite> {

    private static final long serialVersionUID = 1L;

    static final String TASTE_STATE = "student-taste";
    static final String ORPHAN_STATE = "checkouts-without-profile";

    /** {@code taste_source} of a student whose vector includes checkouts. */
    public static final String TASTE_SOURCE_CHECKOUTS = "profile+checkouts";
    /** {@code taste_source} of a student without checkouts: the vector is the profile vector. */
    public static final String TASTE_SOURCE_PROFILE = "profile";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(StudentTasteOperator.class);

    private final TasteSettings settings;

    private transient BufferedValue<StudentTaste> taste;
    private transient BufferedValue<StudentTaste> orphan;
    private transient Counter updates;
    private transient Counter withoutProfile;
    private transient Counter pointsWritten;
    private transient List<Object> rewriteAfterRestore;
    private transient boolean restored;

    /**
     * Creates the operator.
     *
     * @param settings blend weight, half-life, recent-book count, time to live of checkouts without a profile
     */
    public StudentTasteOperator(TasteSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        taste = buffered(getRuntimeContext().getState(new ValueStateDescriptor<>(TASTE_STATE,
                TypeInformation.of(StudentTaste.class))));
        ValueStateDescriptor<StudentTaste> orphanDescriptor = new ValueStateDescriptor<>(ORPHAN_STATE,
                TypeInformation.of(StudentTaste.class));
        orphanDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(settings.idleStateTtl()).build());
        orphan = buffered(getRuntimeContext().getState(orphanDescriptor));
        updates = getMetricGroup().counter("tasteUpdates");
        withoutProfile = getMetricGroup().counter("checkoutsWithoutProfile");
        pointsWritten = getMetricGroup().counter("studentPointsWritten");
        rewriteAfterRestore = new ArrayList<>();
        if (restored) {
            findStudentsWithAnotherWeight();
        }
    }

    /**
     * After a restore, finds the students whose point was written with another profile weight than the configured
     * one: they are rewritten before the first checkpoint barrier, so a changed {@code taste.profile-weight}
     * reaches every student point, not only those that change later.
     */
    private void findStudentsWithAnotherWeight() throws Exception {
        List<Object> keys = new ArrayList<>();
        try (var stream = getKeyedStateBackend().getKeys(TASTE_STATE, VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        for (Object key : keys) {
            setCurrentKey(key);
            StudentTaste s = taste.value();
            if (s != null && s.hasProfile() && Double.compare(s.writtenWeight, settings.profileWeight()) != 0) {
                rewriteAfterRestore.add(key);
            }
        }
        if (!rewriteAfterRestore.isEmpty()) {
            LOG.info("{} student points were written with another profile weight; rewriting them with {}",
                    rewriteAfterRestore.size(), settings.profileWeight());
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        markRestoredForRewrite();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        markRestoredForRewrite();
        super.finish();
    }

    private void markRestoredForRewrite() throws Exception {
        for (Object key : rewriteAfterRestore) {
            setCurrentKey(key);
            markDirty();
        }
        rewriteAfterRestore.clear();
    }

    @Override
    public void processElement1(StreamRecord<PointWrite> record) throws Exception {
        PointWrite write = record.getValue();
        if (write.delete()) {
            taste.clear();
            orphan.clear();
            clearDirty();
            output.collect(record);
            return;
        }
        StudentTaste s = taste.value();
        if (s == null) {
            s = new StudentTaste();
            StudentTaste early = orphan.value();
            if (early != null) {
                s.adoptCheckouts(early);
                orphan.clear();
            }
        }
        s.collection = write.collection();
        s.profile = write.vector();
        s.profilePayload = write.payloadJson();
        taste.update(s);
        markDirty();
    }

    @Override
    public void processElement2(StreamRecord<TasteContribution> record) throws Exception {
        TasteContribution c = record.getValue();
        updates.inc();
        StudentTaste s = taste.value();
        if (s != null) {
            s.addCheckout(c.vector(), c.bookId(), c.occurredAtMillis(), settings);
            taste.update(s);
            markDirty();
            return;
        }
        withoutProfile.inc();
        StudentTaste early = orphan.value();
        if (early == null) {
            early = new StudentTaste();
        }
        early.addCheckout(c.vector(), c.bookId(), c.occurredAtMillis(), settings);
        orphan.update(early);
    }

    @Override
    protected void emitPoint() throws Exception {
        StudentTaste s = taste.value();
        if (s == null || !s.hasProfile()) {
            return;
        }
        output.collect(new StreamRecord<>(new PointWrite(s.collection, (String) getCurrentKey(), false,
                s.tasteVector(settings.profileWeight()), payload(s))));
        pointsWritten.inc();
        if (Double.compare(s.writtenWeight, settings.profileWeight()) != 0) {
            s.writtenWeight = settings.profileWeight();
            taste.update(s);
        }
    }

    private static String payload(StudentTaste s) throws Exception {
        ObjectNode p = (ObjectNode) JSON.readTree(s.profilePayload);
        p.put("checkout_count", s.checkoutCount);
        ArrayNode recent = p.putArray("recent_book_ids");
        for (String id : List.of(s.recentBookIds)) {
            recent.add(id);
        }
        if (s.checkoutCount > 0) {
            p.put("last_checkout_at", Instant.ofEpochMilli(s.latestMillis).toString());
            p.put("taste_source", TASTE_SOURCE_CHECKOUTS);
        } else {
            p.put("taste_source", TASTE_SOURCE_PROFILE);
        }
        return JSON.writeValueAsString(p);
    }
}
