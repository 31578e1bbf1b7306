package io.shelfstream.job.cli;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import io.shelfstream.connectors.lookup.internal.LookupMetrics;

/**
 * Keeps the metrics of jobs run in this process, so a command can read them while the job runs and after it has
 * finished: the catalog lookup's {@code catalogLookup} metrics (for {@code bench enrichment}) and every counter
 * (for the demo's live progress). Enabled only when a local environment configures it
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
        if (id.contains("." + LookupMetrics.GROUP + ".") || metric instanceof Counter) {
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
        long total = 0;
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            if (e.getKey().contains("." + jobName + ".") && e.getKey().endsWith("." + metric)
                    && e.getValue() instanceof Counter counter) {
                total += counter.getCount();
            }
        }
        return total;
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
