package io.shelfstream.job.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.EnrichedBook;

class NewestRowFilterTest {

    /** A live update of one book from version 1 to 2 while a backfill reads the row at version 1 or 2. */
    @Test
    void theNewestRowWinsInEveryInterleavingOfABackfillAndALiveUpdate() throws Exception {
        for (int backfillVersion : new int[] {1, 2}) {
            for (int at = 0; at <= 2; at++) {
                List<EnrichedBook> input = new ArrayList<>(List.of(live("e-add", 1), live("e-upd", 2)));
                input.add(at, backfill(backfillVersion));
                List<EnrichedBook> passed = run(input);
                EnrichedBook last = passed.get(passed.size() - 1);
                assertThat(last.catalogVersion()).as("backfill v%d at %d: %s", backfillVersion, at, passed)
                        .isEqualTo(2);
            }
        }
    }

    @Test
    void aBackfillRowNeverResurrectsABookAnEventRemoved() throws Exception {
        List<EnrichedBook> passed = run(List.of(live("e-add", 5), removal(), backfill(5), backfill(9)));
        assertThat(passed).extracting(b -> b.change().removed()).containsExactly(false, true);
        // a later live add brings the book back, and a backfill row older than it stays out
        passed = run(List.of(removal(), live("e-readd", 7), backfill(6), backfill(8)));
        assertThat(passed).extracting(EnrichedBook::catalogVersion)
                .containsExactly(EnrichedBook.UNKNOWN_VERSION, 7L, 8L);
    }

    @Test
    void backfillRowsOfUnseenBooksPassAndLiveRowsAlwaysPass() throws Exception {
        assertThat(run(List.of(backfill(3)))).hasSize(1);
        // live rows pass even when older than a backfill row: per-key topic order is the truth for events
        assertThat(run(List.of(backfill(3), live("e", 2), live("e2", 1)))).hasSize(3);
        // without a version column, a live row makes later backfill rows stale
        assertThat(run(List.of(live("e", EnrichedBook.UNKNOWN_VERSION), backfill(10)))).hasSize(1);
    }

    private static List<EnrichedBook> run(List<EnrichedBook> input) throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new NewestRowFilter<>(NewestRowFilter.BOOKS, EnrichedBook.class)),
                (EnrichedBook b) -> b.change().bookId(), Types.STRING)) {
            h.open();
            for (EnrichedBook b : input) {
                h.processElement(b, 0L);
            }
            return h.extractOutputValues();
        }
    }

    private static EnrichedBook live(String eventId, long version) {
        return new EnrichedBook(new BookChange("b-1", false, eventId, "books", 0, 1L), true, "t" + version, null,
                null, new String[0], null, version);
    }

    private static EnrichedBook backfill(long version) {
        return new EnrichedBook(BookChange.backfill("b-1"), true, "t" + version, null, null, new String[0], null,
                version);
    }

    private static EnrichedBook removal() {
        return EnrichedBook.missing(new BookChange("b-1", true, "e-rm", "books", 0, 2L));
    }
}
