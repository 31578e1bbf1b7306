package io.shelfstream.job.operators;

import java.util.EnumMap;
import java.util.Map;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import io.shelfstream.schemas.DeadLetterReason;

/**
 * One Flink counter per {@link DeadLetterReason}, in the metric group {@value #GROUP} of an operator, named by the
 * reason's wire name: e.g. {@code <operator scope>.deadLetters.not_json}.
 *
 * <p>Every reason is registered when the operator opens, so dashboards and alerts see zeros rather than missing
 * series. Not thread-safe: use it from the operator's task thread.
 *
 * <pre>{@code
 * counters = DeadLetterCounters.register(getRuntimeContext().getMetricGroup());
 * counters.count(DeadLetterReason.NOT_JSON);
 * }</pre>
 */
public final class DeadLetterCounters {

    /** The metric group that holds the counters. */
    public static final String GROUP = "deadLetters";

    private final Map<DeadLetterReason, Counter> counters;

    private DeadLetterCounters(Map<DeadLetterReason, Counter> counters) {
        this.counters = counters;
    }

    /** Registers a counter per reason under {@code operatorGroup.deadLetters}. */
    public static DeadLetterCounters register(MetricGroup operatorGroup) {
        MetricGroup group = operatorGroup.addGroup(GROUP);
        Map<DeadLetterReason, Counter> counters = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            counters.put(reason, group.counter(reason.wireName()));
        }
        return new DeadLetterCounters(counters);
    }

    /** Counts one dead letter. */
    public void count(DeadLetterReason reason) {
        counters.get(reason).inc();
    }

    /** How many dead letters of a reason were counted so far. */
    public long get(DeadLetterReason reason) {
        return counters.get(reason).getCount();
    }
}
