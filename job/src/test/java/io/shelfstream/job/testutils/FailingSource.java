package io.shelfstream.job.testutils;

import java.util.Collection;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimitedSourceReader;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A source that paces another source and fails its task at planned points: the {@code n}-th record emitted by any
 * reader of any source sharing a {@link Plan} (counted over all attempts, replays included) throws instead of being
 * emitted, once per planned point. The job then fails over and restores from its last completed checkpoint, as
 * after a real task failure, at a point of the stream nobody chose.
 *
 * <p>Pacing ({@code recordsPerSecond} per reader) spreads the stream over time, so checkpoints complete between
 * failures and a failure lands in the middle of the pipeline's work rather than before the first checkpoint.
 */
public final class FailingSource<T, S extends SourceSplit, E> implements Source<T, S, E>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    /** The exception a planned failure throws. */
    public static final class PlannedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PlannedFailure(String plan, long record) {
            super("Planned failure of plan " + plan + " at record " + record);
        }
    }

    /** Failure points shared by the readers of one test, held in this JVM (the MiniCluster's). */
    public static final class Plan {
        private static final ConcurrentHashMap<String, Plan> PLANS = new ConcurrentHashMap<>();

        private final String name;
        private final NavigableSet<Long> points = new ConcurrentSkipListSet<>();
        private final AtomicLong emitted = new AtomicLong();
        private final AtomicInteger thrown = new AtomicInteger();

        private Plan(String name, Collection<Long> points) {
            this.name = name;
            this.points.addAll(points);
        }

        /** Registers a plan: fail at each of {@code points} (1-based counts of emitted records). */
        public static Plan create(String name, Collection<Long> points) {
            Plan plan = new Plan(name, points);
            PLANS.put(name, plan);
            return plan;
        }

        static Plan get(String name) {
            Plan plan = PLANS.get(name);
            if (plan == null) {
                throw new IllegalStateException("No failure plan " + name);
            }
            return plan;
        }

        void count(String reader) {
            long n = emitted.incrementAndGet();
            if (points.remove(n)) {
                thrown.incrementAndGet();
                throw new PlannedFailure(name + " (" + reader + ")", n);
            }
        }

        /** How many planned failures were thrown. */
        public int thrown() {
            return thrown.get();
        }

        /** Records emitted (or failed on) so far, replays included. */
        public long emitted() {
            return emitted.get();
        }

        /** Planned failures not reached yet. */
        public int remaining() {
            return points.size();
        }
    }

    private final Source<T, S, E> delegate;
    private final TypeInformation<T> type;
    private final String plan;
    private final double recordsPerSecond;

    /**
     * @param delegate         the source to pace and fail
     * @param type             what it produces
     * @param plan             the name of a {@link Plan#create registered} plan; {@code null} paces only
     * @param recordsPerSecond the pace of each reader
     */
    public FailingSource(Source<T, S, E> delegate, TypeInformation<T> type, String plan, double recordsPerSecond) {
        this.delegate = delegate;
        this.type = type;
        this.plan = plan;
        this.recordsPerSecond = recordsPerSecond;
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SplitEnumerator<S, E> createEnumerator(SplitEnumeratorContext<S> context) throws Exception {
        return delegate.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<S, E> restoreEnumerator(SplitEnumeratorContext<S> context, E checkpoint)
            throws Exception {
        return delegate.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<S> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<E> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public SourceReader<T, S> createReader(SourceReaderContext context) throws Exception {
        @SuppressWarnings("unchecked")
        RateLimiterStrategy<S> pace = RateLimiterStrategy.perSecond(recordsPerSecond);
        SourceReader<T, S> paced = new RateLimitedSourceReader<>(delegate.createReader(context),
                pace.createRateLimiter(1));
        if (plan == null) {
            return paced;
        }
        return new Reader<>(paced, Plan.get(plan), type + "#" + context.getIndexOfSubtask());
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }

    private static final class Reader<T, S extends SourceSplit> implements SourceReader<T, S> {
        private final SourceReader<T, S> delegate;
        private final Plan plan;
        private final String name;

        Reader(SourceReader<T, S> delegate, Plan plan, String name) {
            this.delegate = delegate;
            this.plan = plan;
            this.name = name;
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            return delegate.pollNext(new CountingReaderOutput<>(output, plan, name));
        }

        @Override
        public List<S> snapshotState(long checkpointId) {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return delegate.isAvailable();
        }

        @Override
        public void addSplits(List<S> splits) {
            delegate.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            delegate.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            delegate.handleSourceEvents(event);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }

    /** Counts each record before it is emitted, through the reader's output or a split's output. */
    private static class CountingOutput<T> implements SourceOutput<T> {
        private final SourceOutput<T> delegate;
        final Plan plan;
        final String name;

        CountingOutput(SourceOutput<T> delegate, Plan plan, String name) {
            this.delegate = delegate;
            this.plan = plan;
            this.name = name;
        }

        @Override
        public void collect(T record) {
            plan.count(name);
            delegate.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            plan.count(name);
            delegate.collect(record, timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            delegate.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            delegate.markIdle();
        }

        @Override
        public void markActive() {
            delegate.markActive();
        }
    }

    private static final class CountingReaderOutput<T> extends CountingOutput<T> implements ReaderOutput<T> {
        private final ReaderOutput<T> reader;

        CountingReaderOutput(ReaderOutput<T> delegate, Plan plan, String name) {
            super(delegate, plan, name);
            this.reader = delegate;
        }

        @Override
        public SourceOutput<T> createOutputForSplit(String splitId) {
            return new CountingOutput<>(reader.createOutputForSplit(splitId), plan, name);
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            reader.releaseOutputForSplit(splitId);
        }
    }
}
