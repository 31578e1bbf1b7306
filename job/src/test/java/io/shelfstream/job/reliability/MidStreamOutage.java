package io.shelfstream.job.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.testutils.FailingSource;
import io.shelfstream.job.testutils.JobMetrics;
import io.shelfstream.job.testutils.PipelineFixture;

/**
 * Runs the whole job over topics filled beforehand, paced so that it is still reading when a service is taken away:
 * once a given number of records has been emitted by the sources, {@code stop} runs, the outage lasts its
 * duration, {@code restart} runs, and the job is left to finish by itself (restarting as often as it needs).
 */
final class MidStreamOutage {

    private static final Logger LOG = LoggerFactory.getLogger(MidStreamOutage.class);

    /** What happened around the outage, for the test's assertions and its log line. */
    record Result(long total, long emittedAtStop, long emittedAtRestart, JobStatus statusAtRestart,
            long checkpointsDuringOutage, long restarts, long outageMillis, long seconds) {
    }

    private MidStreamOutage() {
    }

    /**
     * @param total              the records on the three topics
     * @param stopAt             how many records the sources emit before {@code stop} runs
     * @param consumerProperties extra consumer properties of the three sources
     */
    static Result run(JobOptions options, InMemoryReporter metrics, long total, double recordsPerSecond,
            Map<String, String> consumerProperties, long stopAt, Duration outage, Runnable stop,
            Runnable restart) throws Exception {
        long started = System.nanoTime();
        // a plan without failure points only counts the records the sources emit (replays included)
        String plan = TestNames.fresh("outage");
        FailingSource.Plan counter = FailingSource.Plan.create(plan, List.of());
        StreamExecutionEnvironment env = PipelineFixture.restartingEnvironment(options, Duration.ofMillis(200));
        PipelineFixture.pacedJob(options, recordsPerSecond, plan, consumerProperties).build(env);
        JobClient job = env.executeAsync("outage");

        PipelineFixture.waitUntil(stopAt + " records emitted", () -> counter.emitted() >= stopAt);
        long emittedAtStop = counter.emitted();
        long checkpointsBefore = JobMetrics.jobGauge(metrics, job.getJobID(), "numberOfCompletedCheckpoints");
        long checkpointsDuring;
        long stopped = System.nanoTime();
        JobStatus statusAtRestart;
        long emittedAtRestart;
        try {
            stop.run();
            Thread.sleep(outage.toMillis());
            emittedAtRestart = counter.emitted();
            statusAtRestart = job.getJobStatus().get();
            checkpointsDuring = JobMetrics.jobGauge(metrics, job.getJobID(), "numberOfCompletedCheckpoints")
                    - checkpointsBefore;
        } finally {
            restart.run();
        }
        long outageMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        JobExecutionResult result = job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
        long restarts = JobMetrics.restarts(metrics, result.getJobID());
        Result r = new Result(total, emittedAtStop, emittedAtRestart, statusAtRestart, checkpointsDuring,
                restarts, outageMillis,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        LOG.info("Outage of {} ms: {} of {} records emitted when it began, {} when it ended (job {}, {} checkpoints "
                + "completed meanwhile); {} restarts, {} records emitted in all, {} s", r.outageMillis,
                r.emittedAtStop, r.total, r.emittedAtRestart, r.statusAtRestart, r.checkpointsDuringOutage,
                r.restarts, counter.emitted(), r.seconds);
        // the outage fell in the middle of the stream: the job had records left to read when the service went away,
        // and was still running (not finished) when it came back
        assertThat(emittedAtStop).as("records emitted before the outage").isLessThan(total);
        assertThat(statusAtRestart.isGloballyTerminalState()).as("job ended during the outage: %s", statusAtRestart)
                .isFalse();
        return r;
    }
}
