package io.shelfstream.connectors.testutils;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import io.shelfstream.connectors.lookup.JdbcEnrichmentFunction;

/**
 * Runs a {@link JdbcEnrichmentFunction} in Flink's real ordered Async I/O operator, with its retry strategy, on the
 * test thread: the test thread plays the task thread, processing time moves only when the test says so, and
 * {@link #runMails()} processes what the I/O threads handed back.
 */
public final class AsyncLookupHarness implements AutoCloseable {

    private final OneInputStreamOperatorTestHarness<LookupEvent, EnrichedEvent> harness;
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    /** Opens the function inside an ordered Async I/O operator with the function's options and retry strategy. */
    public AsyncLookupHarness(JdbcEnrichmentFunction<LookupEvent, EnrichedEvent> function) throws Exception {
        AsyncWaitOperatorFactory<LookupEvent, EnrichedEvent> factory = new AsyncWaitOperatorFactory<>(function,
                function.getOptions().timeout().toMillis(), function.getOptions().capacity(),
                AsyncDataStream.OutputMode.ORDERED, function.retryStrategy());
        harness = new OneInputStreamOperatorTestHarness<>(factory,
                TypeInformation.of(LookupEvent.class).createSerializer(new SerializerConfigImpl()));
        harness.setup(TypeInformation.of(EnrichedEvent.class).createSerializer(new SerializerConfigImpl()));
        harness.getEnvironment().setExternalFailureCauseConsumer(failures::add);
        harness.open();
    }

    /** Hands an event to the operator, as the task thread does; returns as soon as the operator does. */
    public void process(LookupEvent event) throws Exception {
        harness.processElement(new StreamRecord<>(event, 0L));
    }

    /** Runs every mail queued for the task thread (results of lookups, timers). */
    public void runMails() throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    /** Moves processing time forward (firing retry and timeout timers) and runs the mails. */
    public void advance(Duration duration) throws Exception {
        harness.setProcessingTime(harness.getProcessingTime() + duration.toMillis());
        runMails();
    }

    /** Runs mails until {@code condition} holds, failing after {@code max}. */
    public void runMailsUntil(BooleanSupplier condition, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            runMails();
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + max + "; outputs so far: " + outputs()
                        + ", failure: " + failure());
            }
            Thread.onSpinWait();
            Thread.sleep(1);
        }
    }

    /** Runs mails until the operator emitted {@code count} outputs. */
    public List<EnrichedEvent> awaitOutputs(int count) throws Exception {
        runMailsUntil(() -> harness.extractOutputValues().size() >= count, Duration.ofSeconds(20));
        return outputs();
    }

    /** Processing-time timers registered (timeouts and scheduled retries). */
    public int timers() {
        return harness.getProcessingTimeService().getNumActiveTimers();
    }

    /** What the operator emitted so far, in order. */
    public List<EnrichedEvent> outputs() {
        return harness.extractOutputValues();
    }

    /** The first error the operator failed the task with, if any. */
    public Optional<Throwable> failure() {
        return failures.stream().findFirst();
    }

    /** Ends the input: Flink fires pending retries at once and waits for every lookup. */
    public void endInput() throws Exception {
        harness.endInput();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
