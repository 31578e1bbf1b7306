package io.shelfstream.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.JdbcEnrichmentFunction;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.embed.ContentHash;
import io.shelfstream.job.embed.EmbeddingBatchOptions;
import io.shelfstream.job.embed.EmbeddingOperator;
import io.shelfstream.job.embed.testutils.FakeEmbedder;
import io.shelfstream.job.records.EnrichedStudent;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.job.records.StudentChange;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;

/** The students path's operators: parse/flatten, catalog lookup mapping, and the embedding adapter. */
class StudentOperatorsTest {

    private static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLLECTION = "students-test";

    @Test
    void studentEventsBecomeChangesWithTheirPositionAndBadRecordsDeadLetters() throws Exception {
        try (OneInputStreamOperatorTestHarness<RawRecord, StudentChange> h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(ParseEventsFunction.studentChanges(DEAD_LETTERS, 2048)))) {
            h.open();
            h.processElement(raw(3, "{\"event_id\":\"e-1\",\"event_type\":\"student_added\","
                    + "\"occurred_at\":\"2026-09-01T08:00:00Z\",\"student_id\":\"s-1\"}"), 1L);
            h.processElement(raw(4, "{\"event_id\":\"e-2\",\"event_type\":\"student_removed\","
                    + "\"occurred_at\":\"2026-09-01T08:00:00Z\",\"student_id\":\"s-1\"}"), 2L);
            h.processElement(raw(5, "nope"), 3L);
            assertThat(h.extractOutputValues()).containsExactly(
                    new StudentChange("s-1", false, "e-1", "students", 0, 3),
                    new StudentChange("s-1", true, "e-2", "students", 0, 4));
            List<DeadLetter> dead = h.getSideOutput(DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).extracting(DeadLetter::reason).containsExactly(DeadLetterReason.NOT_JSON);
            assertThat(dead.get(0).offset()).isEqualTo(5);
        }
    }

    @Test
    void defaultsReadTheShippedStudentsTableAndBadMappingsFail() {
        JdbcEnrichmentFunction<StudentChange, EnrichedStudent> f = StudentCatalogEnrichment.create(JobOptions.defaults());
        assertThat(f.getTable().selectSql()).isEqualTo("SELECT \"student_id\", \"grade_level\", \"interests\", "
                + "\"preferred_genres\", \"updated_at\" FROM \"students\" WHERE \"student_id\" = ANY(?)");
        assertThatThrownBy(() -> StudentCatalogEnrichment.create(JobOptions.defaults()
                .with("catalog.students.columns", "grade_level=grade,interests=hobbies")))
                .hasMessageContaining("--catalog.students.columns must map the field 'preferred_genres'");
    }

    @Test
    void rowsBecomeEnrichedStudentsAndRemovalsNeedNoRow() {
        StudentCatalogEnrichment.Mapper mapper = new StudentCatalogEnrichment.Mapper();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("grade_level", 6);
        fields.put("interests", null);
        fields.put("preferred_genres", List.of("fantasy"));
        EnrichedStudent s = mapper.found(change("s-1", false), new CatalogRow("s-1", fields));
        assertThat(s.gradeLevel()).isEqualTo(6);
        assertThat(s.interests()).isNull();
        assertThat(s.preferredGenres()).containsExactly("fantasy");
        assertThat(StudentCatalogEnrichment.grade("7")).isEqualTo(7);
        assertThat(StudentCatalogEnrichment.grade("seventh")).isNull();
        assertThat(mapper.needsLookup(change("s-1", true))).isFalse();
        assertThat(mapper.isMissing(mapper.withoutLookup(change("s-1", true)))).isFalse();
        assertThat(mapper.isMissing(mapper.missing(change("s-1", false)))).isTrue();
        assertThat(TypeInformation.of(EnrichedStudent.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(StudentChange.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void studentsAreUpsertedWithProfilePayloadDeletedOrDeadLettered() throws Exception {
        StudentEmbeddingAdapter adapter = new StudentEmbeddingAdapter(COLLECTION, DEAD_LETTERS);
        try (KeyedOneInputStreamOperatorTestHarness<String, EnrichedStudent, PointWrite> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        EmbeddingOperator.<EnrichedStudent, PointWrite>builder()
                                .setAdapter(adapter)
                                .setBatchOptions(EmbeddingBatchOptions.builder().setLinger(Duration.ofSeconds(1))
                                        .build())
                                .setEmbedderFactory(FakeEmbedder.factory("students-" + System.nanoTime()))
                                .build(),
                        adapter.keySelector(), Types.STRING)) {
            h.open();
            h.processElement(new EnrichedStudent(change("s-1", false), true, 6, "space and robots",
                    new String[] {"science"}), 100L);
            h.processElement(EnrichedStudent.missing(change("s-2", true)), 101L);
            h.processElement(EnrichedStudent.missing(change("s-9", false)), 102L);
            h.endInput();

            List<PointWrite> writes = h.extractOutputValues();
            assertThat(writes).hasSize(2);
            String text = EmbeddingTexts.student(6, "space and robots", List.of("science"));
            PointWrite upsert = writes.stream().filter(w -> !w.delete()).findFirst().orElseThrow();
            assertThat(upsert.collection()).isEqualTo(COLLECTION);
            assertThat(upsert.pointId()).isEqualTo(PointIds.student("s-1").toString());
            assertThat(upsert.vector()).containsExactly(FakeEmbedder.vectorOf(text));
            Map<String, Object> payload = JSON.readValue(upsert.payloadJson(), new TypeReference<>() { });
            assertThat(payload.keySet()).containsExactly("student_id", "grade_level", "interests", "preferred_genres",
                    "model_id", "content_hash", "event_id", "source", "taste_source");
            assertThat(payload).containsEntry("student_id", "s-1")
                    .containsEntry("grade_level", 6)
                    .containsEntry("interests", "space and robots")
                    .containsEntry("preferred_genres", List.of("science"))
                    .containsEntry("model_id", FakeEmbedder.MODEL_ID)
                    .containsEntry("content_hash", ContentHash.of(FakeEmbedder.MODEL_ID, text, ""))
                    .containsEntry("event_id", "e-s-1")
                    .containsEntry("source", "students/0/1")
                    .containsEntry("taste_source", "profile");
            assertThat(writes).contains(PointWrite.delete(COLLECTION, PointIds.student("s-2")));

            List<DeadLetter> dead = h.getSideOutput(DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason()).isEqualTo(DeadLetterReason.CATALOG_ROW_MISSING);
            assertThat(dead.get(0).detail()).contains("students").contains("s-9");
            assertThat(dead.get(0).key()).asString().isEqualTo("s-9");
            assertThat(dead.get(0).timestamp()).isEqualTo(102L);
        }
    }

    private static StudentChange change(String studentId, boolean removed) {
        return new StudentChange(studentId, removed, "e-" + studentId, "students", 0, 1);
    }

    private static RawRecord raw(long offset, String value) {
        return new RawRecord("students", 0, offset, 1L, "k".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }
}
