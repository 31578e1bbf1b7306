package io.shelfstream.job.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.job.embed.ContentHash;
import io.shelfstream.job.embed.EmbeddingBatchOptions;
import io.shelfstream.job.embed.EmbeddingOperator;
import io.shelfstream.job.embed.testutils.FakeEmbedder;
import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.EnrichedBook;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;

/** Book changes through the {@link EmbeddingOperator}: upserts with payload, deletes, dead letters. */
class BookEmbeddingAdapterTest {

    private static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLLECTION = "books-test";

    private KeyedOneInputStreamOperatorTestHarness<String, EnrichedBook, PointWrite> harness;

    @BeforeEach
    void openHarness() throws Exception {
        BookEmbeddingAdapter adapter = new BookEmbeddingAdapter(COLLECTION, DEAD_LETTERS);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                EmbeddingOperator.<EnrichedBook, PointWrite>builder()
                        .setAdapter(adapter)
                        .setBatchOptions(EmbeddingBatchOptions.builder().setLinger(Duration.ofSeconds(1)).build())
                        .setEmbedderFactory(FakeEmbedder.factory("books-" + System.nanoTime()))
                        .build(),
                adapter.keySelector(), Types.STRING);
        harness.open();
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void bookInTheCatalogIsUpsertedWithItsPayloadAndVector() throws Exception {
        harness.processElement(found("b-1", "e-1", 7, "middle-grade"), 100L);
        harness.endInput();

        List<PointWrite> writes = harness.extractOutputValues();
        assertThat(writes).hasSize(1);
        PointWrite write = writes.get(0);
        String text = EmbeddingTexts.book("Hatchet", "Gary Paulsen", "A boy survives alone.", List.of("adventure"));
        assertThat(write.delete()).isFalse();
        assertThat(write.collection()).isEqualTo(COLLECTION);
        assertThat(write.pointId()).isEqualTo(PointIds.book("b-1").toString());
        assertThat(write.vector()).containsExactly(FakeEmbedder.vectorOf(text));
        Map<String, Object> payload = JSON.readValue(write.payloadJson(), new TypeReference<>() { });
        assertThat(payload.keySet()).containsExactly("book_id", "title", "author", "genres", "reading_level",
                "model_id", "content_hash", "event_id", "source");
        assertThat(payload).containsEntry("book_id", "b-1")
                .containsEntry("title", "Hatchet")
                .containsEntry("author", "Gary Paulsen")
                .containsEntry("genres", List.of("adventure"))
                .containsEntry("reading_level", "middle-grade")
                .containsEntry("model_id", FakeEmbedder.MODEL_ID)
                .containsEntry("content_hash", ContentHash.of(FakeEmbedder.MODEL_ID, text, "middle-grade"))
                .containsEntry("event_id", "e-1")
                .containsEntry("source", "books/0/7");
    }

    @Test
    void removalDeletesThePoint() throws Exception {
        harness.processElement(EnrichedBook.missing(new BookChange("b-2", true, "e-2", "books", 0, 8)), 100L);
        assertThat(harness.extractOutputValues())
                .containsExactly(PointWrite.delete(COLLECTION, PointIds.book("b-2")));
    }

    @Test
    void bookMissingFromTheCatalogBecomesADeadLetter() throws Exception {
        harness.processElement(EnrichedBook.missing(new BookChange("b-9", false, "e-3", "books", 1, 9)), 123L);
        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetter> dead = harness.getSideOutput(DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
        assertThat(dead).hasSize(1);
        DeadLetter letter = dead.get(0);
        assertThat(letter.reason()).isEqualTo(DeadLetterReason.CATALOG_ROW_MISSING);
        assertThat(letter.detail()).contains("b-9").contains("e-3");
        assertThat(letter.topic()).isEqualTo("books");
        assertThat(letter.partition()).isEqualTo(1);
        assertThat(letter.offset()).isEqualTo(9);
        assertThat(letter.timestamp()).isEqualTo(123L);
        assertThat(letter.key()).asString().isEqualTo("b-9");
    }

    @Test
    void unchangedBookIsSkippedButAReadingLevelChangeIsWritten() throws Exception {
        harness.processElement(found("b-1", "e-1", 1, "middle-grade"), 1L);
        harness.prepareSnapshotPreBarrier(1L);
        harness.processElement(found("b-1", "e-2", 2, "middle-grade"), 2L);
        harness.prepareSnapshotPreBarrier(2L);
        harness.processElement(found("b-1", "e-3", 3, "young-adult"), 3L);
        harness.endInput();

        assertThat(harness.extractOutputValues()).extracting(w -> JSON.readTree(w.payloadJson()).get("event_id")
                .asText()).containsExactly("e-1", "e-3");
    }

    @Test
    void pointWritesAndEnrichedBooksTravelAsPojosNotThroughKryo() {
        TypeInformation<PointWrite> points = TypeInformation.of(PointWrite.class);
        assertThat(points).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<PointWrite> pojo = (PojoTypeInfo<PointWrite>) points;
        assertThat(pojo.getTypeAt(pojo.getFieldIndex("vector")))
                .isEqualTo(PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        assertThat(TypeInformation.of(EnrichedBook.class)).isInstanceOf(PojoTypeInfo.class);
    }

    private static EnrichedBook found(String bookId, String eventId, long offset, String readingLevel) {
        return new EnrichedBook(new BookChange(bookId, false, eventId, "books", 0, offset), true, "Hatchet",
                "Gary Paulsen", "A boy survives alone.", new String[] {"adventure"}, readingLevel);
    }
}
