package io.shelfstream.job.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Event-to-visible latency of the checkouts path, for {@code bench e2e}: the bookkeeping of probe checkouts.
 *
 * <p>Each probe is a {@code checkout_created} of a dedicated probe student, who has a profile but no other
 * checkouts, so the student's point in Qdrant shows {@code checkout_count = n} once the probe student's n-th probe
 * is visible. {@link #next} assigns the probe students in turn and says which count the probe will make visible;
 * the caller sends the probe with that Kafka timestamp. {@link #observe} takes a count read from Qdrant and
 * resolves every pending probe of that student up to it: its latency is the time of the read minus the probe's
 * Kafka timestamp. Reads are polls, so a latency includes up to one poll interval.
 *
 * <p>Not thread-safe: one thread sends and polls, or the caller synchronizes.
 */
final class LatencyProbe {

    private final Map<String, Student> students = new LinkedHashMap<>();
    private final List<String> order;
    private final List<Long> latencies = new ArrayList<>();
    private int nextStudent;

    /**
     * @param probeStudents the probe students' ids; each must start with no checkout
     */
    LatencyProbe(List<String> probeStudents) {
        if (probeStudents.isEmpty()) {
            throw new IllegalArgumentException("a latency probe needs at least one probe student");
        }
        for (String id : probeStudents) {
            if (students.put(id, new Student()) != null) {
                throw new IllegalArgumentException("probe student '" + id + "' is named twice");
            }
        }
        order = List.copyOf(probeStudents);
    }

    /**
     * The next probe: which student's checkout to send, and the count that will show it.
     *
     * @param kafkaTimestampMillis the timestamp the probe's Kafka record carries
     */
    Probe next(long kafkaTimestampMillis) {
        String id = order.get(nextStudent);
        nextStudent = (nextStudent + 1) % order.size();
        Student s = students.get(id);
        long expected = ++s.sent;
        s.pending.add(new long[] {expected, kafkaTimestampMillis});
        return new Probe(id, expected, kafkaTimestampMillis);
    }

    /**
     * A read of a probe student's point: resolves the student's pending probes whose count it shows.
     *
     * @param studentId     the probe student
     * @param checkoutCount the point's {@code checkout_count}
     * @param readMillis    when the point was read
     * @return how many probes this read resolved
     */
    int observe(String studentId, long checkoutCount, long readMillis) {
        Student s = students.get(studentId);
        if (s == null) {
            return 0;
        }
        int resolved = 0;
        while (!s.pending.isEmpty() && s.pending.peekFirst()[0] <= checkoutCount) {
            latencies.add(Math.max(0, readMillis - s.pending.pollFirst()[1]));
            resolved++;
        }
        return resolved;
    }

    /** The probe students, in the order {@link #next} uses them. */
    List<String> students() {
        return order;
    }

    /** Probes sent and not yet seen. */
    int pending() {
        int n = 0;
        for (Student s : students.values()) {
            n += s.pending.size();
        }
        return n;
    }

    /** Probes seen so far. */
    int resolved() {
        return latencies.size();
    }

    /** The latencies of the probes seen so far, in milliseconds, ascending. */
    long[] sortedLatencies() {
        long[] sorted = new long[latencies.size()];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = latencies.get(i);
        }
        Arrays.sort(sorted);
        return sorted;
    }

    /**
     * The nearest-rank percentile of ascending values.
     *
     * @param sorted ascending values, not empty
     * @param q      in (0, 1]
     */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in (0, 1], got " + q);
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /**
     * One probe checkout to send.
     *
     * @param studentId            the probe student
     * @param expectedCount        the student's {@code checkout_count} once this probe is visible
     * @param kafkaTimestampMillis the timestamp its Kafka record must carry
     */
    record Probe(String studentId, long expectedCount, long kafkaTimestampMillis) {
    }

    private static final class Student {
        long sent;
        final ArrayDeque<long[]> pending = new ArrayDeque<>();
    }
}
