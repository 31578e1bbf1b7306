package io.shelfstream.job.cli;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import io.shelfstream.connectors.lookup.internal.LookupMetrics;

/**
 * Keeps the metrics of jobs run in this process, so a command can read them while the job runs and after it has
 * finished: every counter and gauge (the demo's live progress, {@code bench e2e}'s rates and checkpoint figures) and
 * the catalog lookup's {@code catalogLookup} histograms ({@code bench enrichment}). Enabled only when a local environment configures it
 * ({@code metrics.reporter.<name>.factory.class}, see {@link #configure}); it keeps the last value of every metric
 * it saw, which is what a short-lived local run wants and a long-running cluster does not.
 */
public final class LocalMetricReporter implements MetricReporter {

    private static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String id = group.getMetricIdentifier(metricName);
        if (id.contains("." + LookupMetrics.GROUP + ".") || metric instanceof Counter || metric instanceof Gauge) {
            METRICS.put(id, metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // kept on purpose: the benchmark reads the final values once the job has finished
    }

    /** Enables this reporter in the configuration of a local environment. */
    static Configuration configure(Configuration conf) {
        conf.setString("metrics.reporter.local.factory.class", Factory.class.getName());
        return conf;
    }

    /**
     * Sums a counter over the subtasks of the named job.
     *
     * @param metric the counter's name with the groups below the operator, e.g. {@code embedding.docs}
     */
    static long sum(String jobName, String metric) {
        return sum(jobName, "", metric);
    }

    /**
     * Sums the counters of a job whose identifier contains {@code scope} and ends with {@code .metric}.
     *
     * @param jobName the job's name, as passed to {@code execute}
     * @param scope   e.g. an operator's name, {@code ""} for any
     * @param metric  the metric's name, e.g. {@code numRecordsIn}
     */
    static long sum(String jobName, String scope, String metric) {
        long total = 0;
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            String id = e.getKey();
            if (id.contains("." + jobName + ".") && id.contains(scope) && id.endsWith("." + metric)
                    && e.getValue() instanceof Counter counter) {
                total += counter.getCount();
            }
        }
        return total;
    }

    /**
     * The numeric value of a gauge of a job, or NaN: the first whose identifier contains {@code .jobName.} and
     * ends with {@code .metric}.
     */
    static double gauge(String jobName, String metric) {
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            String id = e.getKey();
            if (id.contains("." + jobName + ".") && id.endsWith("." + metric) && e.getValue() instanceof Gauge<?> g) {
                Object value = g.getValue();
                if (value instanceof Number n) {
                    return n.doubleValue();
                }
            }
        }
        return Double.NaN;
    }

    /** A lookup histogram of subtask 0 of the named job, or null. */
    static Histogram histogram(String jobName, String metric) {
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            if (e.getKey().contains("." + jobName + ".") && e.getKey().endsWith(".0." + LookupMetrics.GROUP + "."
                    + metric) && e.getValue() instanceof Histogram histogram) {
                return histogram;
            }
        }
        return null;
    }

    /** Creates the reporter; found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new LocalMetricReporter();
        }
    }
}
