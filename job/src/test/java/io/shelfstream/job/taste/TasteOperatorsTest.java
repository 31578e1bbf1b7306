package io.shelfstream.job.taste;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.job.records.CheckoutChange;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.PointIds;

class TasteOperatorsTest {

    private static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TasteSettings SETTINGS = new TasteSettings(0.4, Duration.ofDays(30), 5,
            Duration.ofSeconds(60), Duration.ofDays(1));

    private final List<AutoCloseable> harnesses = new ArrayList<>();
    private final Random random = new Random(1);

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable h : harnesses) {
            h.close();
        }
    }

    // ---- book side -------------------------------------------------------------------------------------

    @Test
    void aJoinedCheckoutCarriesTheBooksVectorAndBumpsItsCountOncePerCheckpoint() throws Exception {
        var h = joinHarness(null);
        float[] vector = StudentTasteTest.unit(random);
        h.processElement1(book("b-1", vector), 10L);
        for (int i = 0; i < 3; i++) {
            h.processElement2(checkout("c-" + i, "s-" + i, "b-1", true), 20L + i);
        }
        h.processElement2(checkout("c-0", "s-0", "b-1", false), 30L);

        List<StreamRecord<TasteContribution>> joined = new ArrayList<>(h.getSideOutput(
                BookCheckoutJoinOperator.TASTE_CONTRIBUTIONS));
        assertThat(joined).extracting(r -> r.getValue().studentId()).containsExactly("s-0", "s-1", "s-2");
        assertThat(joined.get(0).getValue().vector()).containsExactly(vector);
        assertThat(h.extractOutputValues()).as("nothing written before the barrier").isEmpty();

        h.prepareSnapshotPreBarrier(1L);
        List<PointWrite> written = h.extractOutputValues();
        assertThat(written).hasSize(1);
        assertThat(written.get(0).pointId()).isEqualTo(PointIds.book("b-1").toString());
        JsonNode payload = JSON.readTree(written.get(0).payloadJson());
        assertThat(payload.get("checkout_count").asLong()).isEqualTo(3);
        assertThat(payload.get("title").asText()).isEqualTo("title of b-1");

        h.prepareSnapshotPreBarrier(2L);
        assertThat(h.extractOutputValues()).as("an unchanged book is not written again").hasSize(1);
    }

    @Test
    void aCheckoutWaitsForItsBooksFirstVectorAndIsDeadLetteredWhenItNeverComes() throws Exception {
        var h = joinHarness(null);
        h.setProcessingTime(1_000L);
        h.processElement2(checkout("c-1", "s-1", "b-late", true), 5L);
        h.processElement2(checkout("c-2", "s-2", "b-never", true), 6L);
        assertThat(h.getSideOutput(BookCheckoutJoinOperator.TASTE_CONTRIBUTIONS)).isNull();

        h.setProcessingTime(30_000L);
        h.processElement1(book("b-late", StudentTasteTest.unit(random)), 7L);
        assertThat(h.getSideOutput(BookCheckoutJoinOperator.TASTE_CONTRIBUTIONS))
                .extracting(r -> r.getValue().bookId()).containsExactly("b-late");

        h.setProcessingTime(61_000L);
        List<StreamRecord<DeadLetter>> dead = new ArrayList<>(h.getSideOutput(DEAD_LETTERS));
        assertThat(dead).hasSize(1);
        DeadLetter letter = dead.get(0).getValue();
        assertThat(letter.reason().wireName()).isEqualTo("book_vector_missing");
        assertThat(letter.detail()).contains("b-never").contains("checkouts.max-wait");
        assertThat(letter.offset()).isEqualTo(Math.abs("c-2".hashCode()));
        JsonNode event = JSON.readTree(letter.value());
        assertThat(event.get("checkout_id").asText()).isEqualTo("c-2");
        assertThat(event.get("event_type").asText()).isEqualTo("checkout_created");
    }

    @Test
    void waitingCheckoutsSurviveARestoreAndCheckoutsOfRemovedBooksAreDeadLettered() throws Exception {
        var h = joinHarness(null);
        h.setProcessingTime(0L);
        h.processElement1(book("b-gone", StudentTasteTest.unit(random)), 1L);
        h.processElement2(checkout("c-1", "s-1", "b-wait", true), 2L);
        h.prepareSnapshotPreBarrier(1L);
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);

        var restored = joinHarness(snapshot);
        restored.setProcessingTime(10L);
        restored.processElement1(PointWrite.delete("books", PointIds.book("b-gone")), 3L);
        restored.processElement2(checkout("c-2", "s-2", "b-gone", true), 4L);
        restored.processElement1(book("b-wait", StudentTasteTest.unit(random)), 5L);

        assertThat(restored.getSideOutput(BookCheckoutJoinOperator.TASTE_CONTRIBUTIONS))
                .extracting(r -> r.getValue().bookId()).containsExactly("b-wait");
        assertThat(restored.getSideOutput(DEAD_LETTERS)).extracting(r -> r.getValue().detail())
                .singleElement().asString().contains("b-gone").contains("removed");
        assertThat(restored.extractOutputValues()).extracting(PointWrite::delete).containsExactly(true);
    }

    @Test
    void theEndOfTheBooksInputDeadLettersEveryWaitingCheckout() throws Exception {
        var h = joinHarness(null);
        h.processElement2(checkout("c-1", "s-1", "b-1", true), 1L);
        h.processElement2(checkout("c-2", "s-2", "b-2", true), 1L);
        h.endInput1();
        h.processElement2(checkout("c-3", "s-3", "b-3", true), 1L);
        assertThat(h.getSideOutput(DEAD_LETTERS)).extracting(r -> r.getValue().reason().wireName())
                .containsExactly("book_vector_missing", "book_vector_missing", "book_vector_missing");
    }

    // ---- student side ----------------------------------------------------------------------------------

    @Test
    void aStudentsPointIsTheBlendWrittenOncePerCheckpointWithItsCheckoutPayload() throws Exception {
        var h = tasteHarness(null);
        float[] profile = StudentTasteTest.unit(random);
        float[] b1 = StudentTasteTest.unit(random);
        float[] b2 = StudentTasteTest.unit(random);
        h.processElement1(student("s-1", profile), 1L);
        h.processElement2(new TasteContribution("s-1", "b-1", 1_000L, b1), 2L);
        h.processElement2(new TasteContribution("s-1", "b-2", 2_000L, b2), 3L);
        h.prepareSnapshotPreBarrier(1L);

        List<PointWrite> written = h.extractOutputValues();
        assertThat(written).hasSize(1);
        StudentTaste expected = new StudentTaste();
        expected.profile = profile;
        expected.addCheckout(b1, "b-1", 1_000L, SETTINGS);
        expected.addCheckout(b2, "b-2", 2_000L, SETTINGS);
        assertThat(StudentTasteTest.cosine(written.get(0).vector(), expected.tasteVector(0.4))).isGreaterThan(0.99999);
        JsonNode payload = JSON.readTree(written.get(0).payloadJson());
        assertThat(payload.get("checkout_count").asLong()).isEqualTo(2);
        assertThat(payload.get("recent_book_ids").toString()).isEqualTo("[\"b-2\",\"b-1\"]");
        assertThat(payload.get("taste_source").asText()).isEqualTo("profile+checkouts");
        assertThat(payload.get("last_checkout_at").asText()).isEqualTo("1970-01-01T00:00:02Z");
        assertThat(payload.get("grade_level").asInt()).isEqualTo(5);
    }

    @Test
    void checkoutsBeforeTheProfileAreAdoptedAndADeleteClearsTheStudent() throws Exception {
        var h = tasteHarness(null);
        float[] b1 = StudentTasteTest.unit(random);
        h.processElement2(new TasteContribution("s-1", "b-1", 1_000L, b1), 1L);
        h.prepareSnapshotPreBarrier(1L);
        assertThat(h.extractOutputValues()).as("no point without a profile").isEmpty();
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);

        var restored = tasteHarness(snapshot);
        restored.processElement1(student("s-1", StudentTasteTest.unit(random)), 2L);
        restored.prepareSnapshotPreBarrier(2L);
        assertThat(restored.extractOutputValues()).singleElement()
                .satisfies(w -> assertThat(JSON.readTree(w.payloadJson()).get("checkout_count").asLong())
                        .isEqualTo(1));

        restored.processElement2(new TasteContribution("s-1", "b-2", 2_000L, b1), 3L);
        restored.processElement1(PointWrite.delete("students", PointIds.student("s-1")), 4L);
        restored.prepareSnapshotPreBarrier(3L);
        List<PointWrite> after = restored.extractOutputValues();
        assertThat(after).hasSize(2);
        assertThat(after.get(1).delete()).as("the delete wins over the pending update").isTrue();

        restored.processElement1(student("s-1", StudentTasteTest.unit(random)), 5L);
        restored.prepareSnapshotPreBarrier(4L);
        assertThat(JSON.readTree(restored.extractOutputValues().get(2).payloadJson()).get("checkout_count").asLong())
                .as("a removed student starts again").isZero();
    }

    @Test
    void aChangedProfileWeightRewritesEveryStudentAfterARestore() throws Exception {
        var h = tasteHarness(null);
        float[] profile = StudentTasteTest.unit(random);
        float[] book = StudentTasteTest.unit(random);
        h.processElement1(student("s-1", profile), 1L);
        h.processElement2(new TasteContribution("s-1", "b-1", 1_000L, book), 2L);
        h.processElement1(student("s-2", StudentTasteTest.unit(random)), 3L);
        h.prepareSnapshotPreBarrier(1L);
        assertThat(h.extractOutputValues()).hasSize(2);
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);

        TasteSettings other = new TasteSettings(0.9, SETTINGS.halfLife(), SETTINGS.recentBooks(),
                SETTINGS.checkoutMaxWait(), SETTINGS.idleStateTtl());
        var restored = new KeyedTwoInputStreamOperatorTestHarness<>(new StudentTasteOperator(other),
                PointWrite::pointId, (TasteContribution c) -> PointIds.student(c.studentId()).toString(),
                Types.STRING);
        harnesses.add(restored);
        restored.setup();
        restored.initializeState(snapshot);
        restored.open();
        restored.prepareSnapshotPreBarrier(2L);
        List<PointWrite> rewritten = restored.extractOutputValues();
        assertThat(rewritten).extracting(PointWrite::pointId).containsExactlyInAnyOrder(
                PointIds.student("s-1").toString(), PointIds.student("s-2").toString());
        StudentTaste expected = new StudentTaste();
        expected.profile = profile;
        expected.addCheckout(book, "b-1", 1_000L, SETTINGS);
        PointWrite s1 = rewritten.stream().filter(w -> w.pointId().equals(PointIds.student("s-1").toString()))
                .findFirst().orElseThrow();
        assertThat(StudentTasteTest.cosine(s1.vector(), expected.tasteVector(0.9))).isGreaterThan(0.99999);

        // once rewritten, a further restore with the same weight rewrites nothing
        OperatorSubtaskState second = restored.snapshot(2L, 2L);
        var again = new KeyedTwoInputStreamOperatorTestHarness<>(new StudentTasteOperator(other),
                PointWrite::pointId, (TasteContribution c) -> PointIds.student(c.studentId()).toString(),
                Types.STRING);
        harnesses.add(again);
        again.setup();
        again.initializeState(second);
        again.open();
        again.prepareSnapshotPreBarrier(3L);
        assertThat(again.extractOutputValues()).isEmpty();
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private KeyedTwoInputStreamOperatorTestHarness<String, PointWrite, CheckoutChange, PointWrite> joinHarness(
            OperatorSubtaskState state) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new BookCheckoutJoinOperator(SETTINGS, DEAD_LETTERS),
                PointWrite::pointId, c -> PointIds.book(c.bookId()).toString(), Types.STRING);
        harnesses.add(h);
        h.setup();
        if (state != null) {
            h.initializeState(state);
        }
        h.open();
        return h;
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, PointWrite, TasteContribution, PointWrite> tasteHarness(
            OperatorSubtaskState state) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new StudentTasteOperator(SETTINGS),
                PointWrite::pointId, c -> PointIds.student(c.studentId()).toString(), Types.STRING);
        harnesses.add(h);
        h.setup();
        if (state != null) {
            h.initializeState(state);
        }
        h.open();
        return h;
    }

    private static PointWrite book(String bookId, float[] vector) {
        return PointWrite.upsert("books", PointIds.book(bookId), vector,
                "{\"book_id\":\"" + bookId + "\",\"title\":\"title of " + bookId + "\"}");
    }

    private static PointWrite student(String studentId, float[] vector) {
        UUID id = PointIds.student(studentId);
        return PointWrite.upsert("students", id, vector,
                "{\"student_id\":\"" + studentId + "\",\"grade_level\":5,\"taste_source\":\"profile\"}");
    }

    private static CheckoutChange checkout(String checkoutId, String studentId, String bookId, boolean created) {
        return new CheckoutChange(checkoutId, studentId, bookId, created, 1_700_000_000_000L, "e-" + checkoutId,
                "checkouts", 0, Math.abs(checkoutId.hashCode()));
    }
}
