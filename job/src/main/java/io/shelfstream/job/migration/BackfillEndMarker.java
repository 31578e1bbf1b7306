package io.shelfstream.job.migration;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Chained to a catalog backfill's subtask: counts its rows and, when that subtask's input ends, emits one
 * {@link BackfillEnd}. The marker leaves before the backfill's final checkpoint barrier, so the first checkpoint the
 * alias switcher takes after hearing from every subtask covers every backfilled row on the embedding path too.
 */
public final class BackfillEndMarker<T> extends AbstractStreamOperator<BackfillEnd>
        implements OneInputStreamOperator<T, BackfillEnd>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private final String entities;
    private transient long rows;

    /** A marker for the backfill of {@code entities} ({@code books} or {@code students}). */
    public BackfillEndMarker(String entities) {
        this.entities = entities;
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        rows++;
    }

    @Override
    public void endInput() {
        output.collect(new StreamRecord<>(new BackfillEnd(entities,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(), rows)));
    }
}
