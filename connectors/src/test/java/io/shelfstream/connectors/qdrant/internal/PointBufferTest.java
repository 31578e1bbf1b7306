package io.shelfstream.connectors.qdrant.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.QdrantSink;

class PointBufferTest {

    private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

    private static QdrantSink.Builder sink() {
        return QdrantSink.builder().setEndpoint(QdrantEndpoint.of("localhost", 6334)).setVectorSize(3)
                .addCollection("books", List.of("genres")).addCollection("students", List.of());
    }

    private static PointWrite upsert(String collection, UUID id, int version) {
        return PointWrite.upsert(collection, id, new float[] {version, 1, 0}, "{\"v\":" + version + "}");
    }

    @Test
    void lastWriteOfAPointWinsWhetherUpsertOrDelete() {
        PointBuffer buffer = new PointBuffer(sink().build().settings());
        buffer.add(upsert("books", A, 1));
        buffer.add(upsert("books", B, 1));
        buffer.add(upsert("books", A, 2));
        buffer.add(PointWrite.delete("books", B));
        buffer.add(PointWrite.delete("books", A));
        buffer.add(upsert("books", A, 3));

        assertThat(buffer.size()).isEqualTo(2);
        List<QdrantCommittable> committables = buffer.drain();
        assertThat(committables).hasSize(2);
        assertThat(committables.get(0).isDelete()).isFalse();
        assertThat(committables.get(0).writes()).singleElement()
                .satisfies(w -> assertThat(w.payloadJson()).isEqualTo("{\"v\":3}"));
        assertThat(committables.get(1).isDelete()).isTrue();
        assertThat(committables.get(1).writes()).singleElement()
                .satisfies(w -> assertThat(w.pointId()).isEqualTo(B.toString()));
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.bytes()).isZero();
    }

    @Test
    void theSameIdInTwoCollectionsIsTwoPoints() {
        PointBuffer buffer = new PointBuffer(sink().build().settings());
        buffer.add(upsert("books", A, 1));
        buffer.add(upsert("students", A, 1));
        assertThat(buffer.drain()).extracting(QdrantCommittable::collection).containsExactly("books", "students");
    }

    @Test
    void spellingsOfOneIdAreOnePoint() {
        PointBuffer buffer = new PointBuffer(sink().build().settings());
        buffer.add(new PointWrite("books", A.toString().toUpperCase(), false, new float[] {1, 0, 0}, "{}"));
        buffer.add(new PointWrite("books", A.toString().replace("-", ""), true, null, null));
        List<QdrantCommittable> committables = buffer.drain();
        assertThat(committables).singleElement().satisfies(c -> {
            assertThat(c.isDelete()).isTrue();
            assertThat(c.writes().get(0).pointId()).isEqualTo(A.toString());
        });
    }

    @Test
    void committablesRespectThePointLimitPerRequest() {
        PointBuffer buffer = new PointBuffer(sink().setMaxBatchPoints(3).build().settings());
        for (int i = 0; i < 7; i++) {
            buffer.add(upsert("books", new UUID(0, i), i));
        }
        assertThat(buffer.isFull()).isTrue();
        assertThat(buffer.drain()).extracting(QdrantCommittable::size).containsExactly(3, 3, 1);
    }

    @Test
    void committablesRespectTheByteLimitPerRequest() {
        String payload = "{\"text\":\"" + "x".repeat(400) + "\"}";
        PointBuffer buffer = new PointBuffer(sink().setMaxBatchBytes(2048).build().settings());
        for (int i = 0; i < 10; i++) {
            buffer.add(PointWrite.upsert("books", new UUID(0, i), new float[] {1, 2, 3}, payload));
        }
        long perPoint = buffer.bytes() / 10;
        List<QdrantCommittable> committables = buffer.drain();
        assertThat(committables).allSatisfy(c ->
                assertThat(c.size() * perPoint + PointStructs.requestOverheadBytes()).isLessThanOrEqualTo(2048));
        assertThat(committables.stream().mapToInt(QdrantCommittable::size).sum()).isEqualTo(10);
        assertThat(committables).hasSizeGreaterThan(2);
    }

    @Test
    void replacingAPointReplacesItsBytes() {
        PointBuffer buffer = new PointBuffer(sink().build().settings());
        buffer.add(PointWrite.upsert("books", A, new float[] {1, 2, 3}, "{\"t\":\"" + "x".repeat(500) + "\"}"));
        long big = buffer.bytes();
        buffer.add(PointWrite.upsert("books", A, new float[] {1, 2, 3}, "{}"));
        assertThat(buffer.bytes()).isLessThan(big - 400);
        buffer.add(PointWrite.delete("books", A));
        assertThat(buffer.bytes()).isLessThan(64);
    }

    @Test
    void writesTheSinkCannotSendAreRejectedWithThePointAndAFix() {
        PointBuffer buffer = new PointBuffer(sink().setMaxBatchBytes(1024).build().settings());
        assertThatThrownBy(() -> buffer.add(upsert("authors", A, 1)))
                .hasMessageContaining("collection 'authors'").hasMessageContaining("addCollection(\"authors\"");
        assertThatThrownBy(() -> buffer.add(PointWrite.upsert("books", A, new float[] {1, 2}, "{}")))
                .hasMessageContaining(A.toString()).hasMessageContaining("2 dimensions")
                .hasMessageContaining("writes 3");
        assertThatThrownBy(() -> buffer.add(PointWrite.upsert("books", A, new float[] {1, 2, 3}, "[1]")))
                .hasMessageContaining(A.toString()).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> buffer.add(PointWrite.upsert("books", A, new float[] {1, 2, 3}, "{oops")))
                .hasMessageContaining(A.toString()).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> buffer.add(PointWrite.upsert("books", A, new float[] {1, 2, 3},
                "{\"t\":\"" + "x".repeat(2000) + "\"}")))
                .hasMessageContaining(A.toString()).hasMessageContaining("setMaxBatchBytes");
        assertThatThrownBy(() -> buffer.add(new PointWrite("books", "book-1", true, null, null)))
                .hasMessageContaining("'book-1'");
        assertThat(buffer.isEmpty()).as("nothing of a rejected write stays").isTrue();
    }
}
