package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class LatencyProbeTest {

    @Test
    void probesTakeTheStudentsInTurnAndEachExpectsTheNextCountOfItsStudent() {
        LatencyProbe probe = new LatencyProbe(List.of("s-a", "s-b"));

        assertThat(probe.next(1_000)).isEqualTo(new LatencyProbe.Probe("s-a", 1, 1_000));
        assertThat(probe.next(1_100)).isEqualTo(new LatencyProbe.Probe("s-b", 1, 1_100));
        assertThat(probe.next(1_200)).isEqualTo(new LatencyProbe.Probe("s-a", 2, 1_200));
        assertThat(probe.pending()).isEqualTo(3);
    }

    @Test
    void aReadResolvesEveryPendingProbeItsCountShowsWithTheTimeSinceItsKafkaTimestamp() {
        LatencyProbe probe = new LatencyProbe(List.of("s-a", "s-b"));
        probe.next(1_000); // s-a 1
        probe.next(1_100); // s-b 1
        probe.next(1_200); // s-a 2
        probe.next(1_300); // s-b 2

        assertThat(probe.observe("s-a", 0, 1_500)).isZero();
        // one checkpoint makes both of s-a's probes visible at once
        assertThat(probe.observe("s-a", 2, 3_000)).isEqualTo(2);
        assertThat(probe.observe("s-b", 1, 3_050)).isEqualTo(1);
        // a later read of an older count changes nothing
        assertThat(probe.observe("s-a", 1, 4_000)).isZero();

        assertThat(probe.pending()).isEqualTo(1);
        assertThat(probe.resolved()).isEqualTo(3);
        assertThat(probe.sortedLatencies()).containsExactly(1_800, 1_950, 2_000);
    }

    @Test
    void readsOfOtherStudentsAreIgnored() {
        LatencyProbe probe = new LatencyProbe(List.of("s-a"));
        probe.next(10);

        assertThat(probe.observe("s-other", 5, 20)).isZero();
        assertThat(probe.pending()).isEqualTo(1);
    }

    @Test
    void percentileIsTheNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = i + 1;
        }

        assertThat(LatencyProbe.percentile(sorted, 0.5)).isEqualTo(50);
        assertThat(LatencyProbe.percentile(sorted, 0.95)).isEqualTo(95);
        assertThat(LatencyProbe.percentile(sorted, 0.99)).isEqualTo(99);
        assertThat(LatencyProbe.percentile(sorted, 1.0)).isEqualTo(100);
        assertThat(LatencyProbe.percentile(new long[] {7}, 0.99)).isEqualTo(7);
    }

    @Test
    void rejectsNoStudentsTheSameStudentTwiceAndPercentilesOfNothing() {
        assertThatThrownBy(() -> new LatencyProbe(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LatencyProbe(List.of("s-a", "s-a")))
                .hasMessageContaining("s-a");
        assertThatThrownBy(() -> LatencyProbe.percentile(new long[0], 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencyProbe.percentile(new long[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
