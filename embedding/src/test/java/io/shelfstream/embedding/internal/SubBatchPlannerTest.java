package io.shelfstream.embedding.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SubBatchPlannerTest {

    @Test
    void emptyBatchGivesNoCalls() {
        assertThat(SubBatchPlanner.plan(new int[0], 32, 8192)).isEmpty();
    }

    @Test
    void ordersByLengthAndKeepsInputOrderForTies() {
        List<int[]> plan = SubBatchPlanner.plan(new int[] {9, 3, 5, 3, 12}, 32, 8192);
        assertThat(plan).hasSize(1);
        assertThat(plan.get(0)).containsExactly(1, 3, 2, 0, 4);
    }

    @Test
    void cutsAtTheRecordLimit() {
        List<int[]> plan = SubBatchPlanner.plan(new int[] {4, 4, 4, 4, 4}, 2, 8192);
        assertThat(plan).extracting(rows -> rows.length).containsExactly(2, 2, 1);
    }

    @Test
    void cutsAtThePaddedTokenLimit() {
        // sorted: 10, 10, 60, 100; 10*2=20 fits, 60*3=180 > 100 -> cut; 100*2=200 > 100 -> cut
        List<int[]> plan = SubBatchPlanner.plan(new int[] {100, 10, 60, 10}, 32, 100);
        assertThat(plan).hasSize(3);
        assertThat(plan.get(0)).containsExactly(1, 3);
        assertThat(plan.get(1)).containsExactly(2);
        assertThat(plan.get(2)).containsExactly(0);
    }

    @Test
    void aTextLongerThanTheTokenLimitStillGetsItsOwnCall() {
        List<int[]> plan = SubBatchPlanner.plan(new int[] {300, 5}, 32, 256);
        assertThat(plan).hasSize(2);
        assertThat(plan.get(1)).containsExactly(0);
    }

    @Test
    void everyTextIsPlannedOnceWithinBothLimits() {
        Random random = new Random(42);
        int[] lengths = new int[500];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = 2 + random.nextInt(255);
        }
        List<int[]> plan = SubBatchPlanner.plan(lengths, 32, 2048);
        List<Integer> seen = new ArrayList<>();
        for (int[] rows : plan) {
            int longest = Arrays.stream(rows).map(i -> lengths[i]).max().orElseThrow();
            assertThat(rows.length).isBetween(1, 32);
            assertThat(longest * rows.length).isLessThanOrEqualTo(2048);
            Arrays.stream(rows).forEach(seen::add);
        }
        assertThat(seen).hasSize(lengths.length).doesNotHaveDuplicates();
    }

    @Test
    void rejectsNonPositiveLimits() {
        assertThatThrownBy(() -> SubBatchPlanner.plan(new int[] {1}, 0, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
