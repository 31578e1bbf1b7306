package io.shelfstream.job.cli;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Keeps every counter and gauge of the jobs run in this process, by identifier, so {@code bench e2e} can sample
 * them while a job runs: records through each operator, the Qdrant sink's {@code pointsUpserted}, the checkout
 * operators' counters, and the job's checkpoint gauges ({@code lastCheckpointDuration}, {@code lastCheckpointSize}).
 * Enabled only in an environment configured with {@link #configure}. Metrics of finished jobs are kept, so a
 * benchmark reads final values after a bounded job ends.
 */
public final class BenchMetricReporter implements MetricReporter {

    private static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (metric instanceof Counter || metric instanceof Gauge) {
            METRICS.put(group.getMetricIdentifier(metricName), metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // kept: the benchmark reads final values after the job has finished
    }

    /** Enables this reporter in the configuration of a local environment. */
    static Configuration configure(Configuration conf) {
        conf.setString("metrics.reporter.bench.factory.class", Factory.class.getName());
        return conf;
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

    /** Creates the reporter; found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new BenchMetricReporter();
        }
    }
}
