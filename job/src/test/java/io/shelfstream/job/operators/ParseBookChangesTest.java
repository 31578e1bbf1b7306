package io.shelfstream.job.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;

class ParseBookChangesTest {

    private static final OutputTag<DeadLetter> DEAD = new OutputTag<>("dead") { };

    private static RawRecord record(long offset, String value) {
        return new RawRecord("books", 1, offset, 5L, "k".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void batchEventsBecomeOneChangePerBookAndBadRecordsDeadLetters() throws Exception {
        try (OneInputStreamOperatorTestHarness<RawRecord, BookChange> h =
                ProcessFunctionTestHarnesses.forProcessFunction(ParseEventsFunction.bookChanges(DEAD, 4096))) {
            h.processElement(record(7, "{\"event_id\":\"e\",\"event_type\":\"book_removed\","
                    + "\"occurred_at\":\"2026-09-01T08:00:00Z\",\"book_ids\":[\"b-2\",\"b-1\"]}"), 0);
            h.processElement(record(8, "{\"event_id\":\"e\",\"event_id\":\"f\"}"), 0);
            h.processElement(record(9, "[" .repeat(100)), 0);
            assertThat(h.extractOutputValues()).containsExactly(
                    new BookChange("b-2", true, "e", "books", 1, 7),
                    new BookChange("b-1", true, "e", "books", 1, 7));
            List<DeadLetter> dead = h.getSideOutput(DEAD).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).extracting(DeadLetter::reason)
                    .containsExactly(DeadLetterReason.DUPLICATE_FIELD, DeadLetterReason.TOO_DEEP);
            assertThat(dead).extracting(DeadLetter::offset).containsExactly(8L, 9L);
        }
    }
}
