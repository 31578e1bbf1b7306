package io.shelfstream.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

import io.shelfstream.job.records.RawRecord;
import io.shelfstream.schemas.CheckoutEvent;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.LibraryEvent;
import io.shelfstream.schemas.StudentEvent;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

class ParseEventsFunctionTest {

    private static final OutputTag<DeadLetter> DEAD = new OutputTag<>("dead") { };
    private static final LibraryGenerator LIBRARY = LibraryGenerator.create(GeneratorOptions.builder()
            .setBooks(50).setStudents(30).setCheckouts(300).setSeed(4).setMalformedFraction(0.2)
            .setMaxRecordBytes(2048).build());

    @Test
    void everyRecordBecomesOneEventOrOneDeadLetterWithItsPositionAndBytes() throws Exception {
        checkTopic(ParseEventsFunction.students(DEAD, 2048), EventTopic.STUDENTS);
        checkTopic(ParseEventsFunction.checkouts(DEAD, 2048), EventTopic.CHECKOUTS);
    }

    private static <T extends LibraryEvent> void checkTopic(ParseEventsFunction<T> fn, EventTopic topic)
            throws Exception {
        List<GeneratedRecord> records = new ArrayList<>();
        LIBRARY.records(topic).forEach(records::add);
        try (OneInputStreamOperatorTestHarness<RawRecord, T> h = ProcessFunctionTestHarnesses.forProcessFunction(fn)) {
            for (int i = 0; i < records.size(); i++) {
                GeneratedRecord r = records.get(i);
                h.processElement(new RawRecord(topic.defaultName(), i % 3, 1000 + i, 1_788_000_000_000L + i,
                        r.keyBytes(), r.value()), i);
            }
            List<LibraryEvent> expectedEvents = new ArrayList<>();
            List<Integer> malformedAt = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                if (records.get(i).isMalformed()) {
                    malformedAt.add(i);
                } else {
                    expectedEvents.add(records.get(i).event());
                }
            }
            List<LibraryEvent> events = new ArrayList<>(h.extractOutputValues());
            assertThat(events).containsExactlyElementsOf(expectedEvents);
            List<DeadLetter> dead = h.getSideOutput(DEAD).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).hasSize(malformedAt.size());
            for (int k = 0; k < dead.size(); k++) {
                int i = malformedAt.get(k);
                DeadLetter d = dead.get(k);
                assertThat(d.reason()).isEqualTo(records.get(i).expectedReason());
                assertThat(d.topic()).isEqualTo(topic.defaultName());
                assertThat(d.partition()).isEqualTo(i % 3);
                assertThat(d.offset()).isEqualTo(1000 + i);
                assertThat(d.timestamp()).isEqualTo(1_788_000_000_000L + i);
                assertThat(d.key()).isEqualTo(records.get(i).keyBytes());
                assertThat(d.value()).isEqualTo(records.get(i).value());
            }
            assertThat(dead.stream().map(DeadLetter::reason).distinct().count())
                    .isGreaterThanOrEqualTo(Math.min(dead.size(), 8));
        }
    }

    @Test
    void recordsWithoutValueOrKeyAreDeadLettered() throws Exception {
        try (OneInputStreamOperatorTestHarness<RawRecord, StudentEvent> h =
                ProcessFunctionTestHarnesses.forProcessFunction(ParseEventsFunction.students(DEAD, 2048))) {
            h.processElement(new RawRecord("students", 0, 1, -1, null, null), 0);
            h.processElement(new RawRecord("students", 0, 2, -1, null,
                    "{\"event_type\":\"student_added\"}".getBytes(StandardCharsets.UTF_8)), 0);
            List<DeadLetter> dead = h.getSideOutput(DEAD).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).extracting(DeadLetter::reason)
                    .containsExactly(DeadLetterReason.NOT_JSON, DeadLetterReason.MISSING_FIELD);
            assertThat(dead.get(0).value()).isNull();
            assertThat(dead.get(0).key()).isNull();
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void eventsTravelAsPojosNotThroughKryo() {
        assertThat(ParseEventsFunction.students(DEAD, 1).getProducedType()).isInstanceOf(PojoTypeInfo.class);
        assertThat(ParseEventsFunction.checkouts(DEAD, 1).getProducedType()).isInstanceOf(PojoTypeInfo.class);
        assertThat(ParseEventsFunction.checkouts(DEAD, 1).getProducedType().getTypeClass())
                .isEqualTo(CheckoutEvent.class);
        assertThatThrownBy(() -> ParseEventsFunction.students(DEAD, 0)).hasMessageContaining("positive");
    }
}
