package io.shelfstream.job.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import io.shelfstream.job.records.CheckoutChange;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.job.operators.ParseEventsFunction;
import io.shelfstream.job.taste.CompactingKeyedOperator;
import io.shelfstream.job.taste.StudentTaste;
import io.shelfstream.job.taste.TasteSettings;
import io.shelfstream.schemas.DeadLetter;

/**
 * The ceiling of the checkouts path, for {@code bench e2e}: a bare Flink job that parses the same {@code checkouts}
 * records as the job ({@link ParseEventsFunction#checkoutChanges}) and keeps the same per-student aggregate
 * ({@link StudentTaste#addCheckout}, one {@link StudentTaste} per student in keyed value state, in whatever state
 * backend the environment has, buffered between checkpoints as the job's taste operator buffers it), with no
 * catalog lookup, no model, no join with book state and no sink.
 *
 * <p>A book's vector is a fixed pseudo-random unit vector derived from its id (what the join would send is the
 * book's embedding; the aggregate's cost does not depend on the values). Returns are parsed and counted but change
 * nothing, as in the job. Each aggregated checkout emits the student's new checkout count, which a benchmark
 * discards (chained, so never serialized) and a test collects.
 *
 * <pre>{@code
 * DataStream<StudentCount> counts = CheckoutCeilingJob.build(env, kafkaSource, TasteSettings.DEFAULTS);
 * counts.sinkTo(new DiscardingSink<>());
 * }</pre>
 */
public final class CheckoutCeilingJob {

    /** The vector size of all-MiniLM-L6-v2, which the aggregate works on. */
    public static final int DIMENSIONS = 384;

    private static final int MAX_RECORD_BYTES = 1024 * 1024;
    private static final OutputTag<DeadLetter> REJECTED = new OutputTag<>("ceiling-rejected") { };

    private CheckoutCeilingJob() {
    }

    /**
     * The ceiling pipeline on {@code records}: parse, key by student, aggregate.
     *
     * @param records  the {@code checkouts} records, e.g. from the same Kafka topic the job read
     * @param settings the half-life and recent-book count the aggregate uses
     * @return per aggregated checkout, the student and its checkout count so far
     */
    public static DataStream<StudentCount> build(DataStream<RawRecord> records, TasteSettings settings) {
        return records
                .process(ParseEventsFunction.checkoutChanges(REJECTED, MAX_RECORD_BYTES))
                .name("Parse checkouts events (ceiling)")
                .keyBy(CheckoutChange::studentId, Types.STRING)
                .transform("Student taste aggregate (ceiling)", TypeInformation.of(StudentCount.class),
                        new Aggregate(settings));
    }

    /** {@link #build(DataStream, TasteSettings)} on a source, e.g. a bounded Kafka source. */
    public static DataStream<StudentCount> build(StreamExecutionEnvironment env, Source<RawRecord, ?, ?> source,
            TasteSettings settings) {
        return build(env.fromSource(source, WatermarkStrategy.noWatermarks(), "Checkouts (ceiling)"), settings);
    }

    /**
     * A unit vector of {@link #DIMENSIONS} floats that depends only on {@code bookId}.
     *
     * @param bookId the book
     * @return a new array of unit length
     */
    public static float[] bookVector(String bookId) {
        SplittableRandom random = new SplittableRandom(bookId.hashCode() * 0x9E3779B97F4A7C15L);
        float[] v = new float[DIMENSIONS];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextDouble() - 0.5);
            norm += v[i] * v[i];
        }
        float scale = (float) (1.0 / Math.sqrt(norm));
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return v;
    }

    /**
     * A student's checkout count after one aggregated checkout.
     *
     * @param studentId     the student
     * @param checkoutCount the student's {@code checkout_created} events aggregated so far
     */
    public record StudentCount(String studentId, long checkoutCount) {
    }

    /**
     * The per-student aggregate: one {@link StudentTaste} per key, kept like the job's taste operator keeps it (on
     * the heap between checkpoints, written to the state backend once per changed student per checkpoint; see
     * {@link CompactingKeyedOperator}), with no point to emit.
     */
    static final class Aggregate extends CompactingKeyedOperator<StudentCount>
            implements OneInputStreamOperator<CheckoutChange, StudentCount> {

        private static final long serialVersionUID = 1L;

        private final TasteSettings settings;
        private transient BufferedValue<StudentTaste> taste;
        private transient Map<String, float[]> vectors;

        Aggregate(TasteSettings settings) {
            this.settings = settings;
        }

        @Override
        public void open() throws Exception {
            super.open();
            taste = buffered(getRuntimeContext().getState(new ValueStateDescriptor<>("ceiling-student-taste",
                    TypeInformation.of(StudentTaste.class))));
            vectors = new HashMap<>();
        }

        @Override
        public void processElement(StreamRecord<CheckoutChange> record) throws Exception {
            CheckoutChange checkout = record.getValue();
            if (!checkout.created()) {
                return;
            }
            StudentTaste s = taste.value();
            if (s == null) {
                s = new StudentTaste();
            }
            s.addCheckout(vectors.computeIfAbsent(checkout.bookId(), CheckoutCeilingJob::bookVector),
                    checkout.bookId(), checkout.occurredAtMillis(), settings);
            taste.update(s);
            markDirty();
            output.collect(new StreamRecord<>(new StudentCount(checkout.studentId(), s.checkoutCount)));
        }

        @Override
        protected void emitPoint() {
            // no sink: the aggregate is the whole job
        }
    }
}
