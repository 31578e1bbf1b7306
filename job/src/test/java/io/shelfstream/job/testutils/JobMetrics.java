package io.shelfstream.job.testutils;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** Reads counters of a job's operators from an {@link InMemoryReporter}. */
public final class JobMetrics {

    private JobMetrics() {
    }

    /**
     * The MiniCluster of the pipeline ITCases: one TaskManager with two slots, its metrics reported to
     * {@code metrics}. Register it with {@code @RegisterExtension}.
     */
    public static MiniClusterExtension miniCluster(InMemoryReporter metrics) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(metrics.addToConfiguration(new Configuration()))
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .build());
    }

    /**
     * The sum over all subtasks of a counter of the operators whose metric identifier contains {@code operator}.
     *
     * @param name the counter's name, with its groups below the operator (e.g. {@code embedding.docs})
     */
    public static long counter(InMemoryReporter reporter, JobID job, String operator, String name) {
        long sum = 0;
        for (Tuple3<MetricGroup, String, Metric> m : reporter.findJobMetricGroups(job, ".*")) {
            String identifier = m.f0.getMetricIdentifier(m.f1);
            if (identifier.contains(operator) && identifier.endsWith("." + name) && m.f2 instanceof Counter c) {
                sum += c.getCount();
            }
        }
        return sum;
    }

    /**
     * The job's {@code numRestarts} gauge (the job manager's count of restarts); 0 until it is registered. The
     * reporter must retain metrics to read it after the job ended.
     */
    public static long restarts(InMemoryReporter reporter, JobID job) {
        return jobGauge(reporter, job, "numRestarts");
    }

    /** The largest value of a job-level gauge of that name (retained groups of earlier attempts included). */
    public static long jobGauge(InMemoryReporter reporter, JobID job, String name) {
        long value = 0;
        for (Tuple3<MetricGroup, String, Metric> m : reporter.findJobMetricGroups(job, name)) {
            if (m.f1.equals(name) && m.f2 instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                value = Math.max(value, n.longValue());
            }
        }
        return value;
    }
}
