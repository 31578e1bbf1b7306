package io.shelfstream.connectors.qdrant.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.shelfstream.connectors.qdrant.PointWrite;

class QdrantCommittableSerializerTest {

    private final QdrantCommittableSerializer serializer = new QdrantCommittableSerializer();

    private static final QdrantCommittable GOLDEN_UPSERT = QdrantCommittable.upserts("books", List.of(
            new PointWrite("books", "00000000-0000-0000-0000-000000000001", false, new float[] {0.5f, -1f},
                    "{\"t\":\"é\"}"),
            new PointWrite("books", "42", false, new float[] {Float.MIN_VALUE, Float.MAX_VALUE}, "{}")));

    /** Format version 1 of {@link #GOLDEN_UPSERT}; checkpoints written by released jobs look like this forever. */
    private static final String GOLDEN_UPSERT_V1 = "00000005626f6f6b7300000000020000002430303030303030302d303030302d"
            + "303030302d303030302d303030303030303030303031000000023f000000bf8000000000000a7b2274223a22c3a9227d0000"
            + "0002343200000002000000017f7fffff000000027b7d";

    @Test
    void upsertsRoundTripWithRawFloatsAndPayloads() throws Exception {
        float[] vector = new float[384];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = (float) Math.sin(i) / (i + 1);
        }
        vector[7] = -0.0f;
        vector[8] = Float.NaN;
        QdrantCommittable committable = QdrantCommittable.upserts("bücher", List.of(
                PointWrite.upsert("bücher", UUID.randomUUID(), vector, "{\"title\":\"Ünïcödé ✓\",\"n\":[1,2.5]}"),
                new PointWrite("bücher", "18446744073709551615", false, new float[384], "{}")));

        byte[] bytes = serializer.serialize(committable);
        QdrantCommittable restored = serializer.deserialize(serializer.getVersion(), bytes);

        assertThat(restored).isEqualTo(committable);
        assertThat(Float.floatToRawIntBits(restored.writes().get(0).vector()[7]))
                .isEqualTo(Float.floatToRawIntBits(-0.0f));
        assertThat(restored.writes().get(0).vector()[8]).isNaN();
        assertThat(bytes.length).as("raw floats, no per-element overhead")
                .isLessThan(2 * (384 * 4) + 200);
    }

    @Test
    void deletesRoundTripAsIdsOnly() throws Exception {
        QdrantCommittable committable = QdrantCommittable.deletes("books", List.of(
                PointWrite.delete("books", new UUID(1, 2)), new PointWrite("books", "7", true, null, null)));
        byte[] bytes = serializer.serialize(committable);
        QdrantCommittable restored = serializer.deserialize(1, bytes);
        assertThat(restored).isEqualTo(committable);
        assertThat(restored.isDelete()).isTrue();
        assertThat(restored.writes()).allSatisfy(w -> assertThat(w.vector()).isNull());
    }

    @Test
    void versionOneFormatIsPinned() throws Exception {
        assertThat(serializer.getVersion()).isEqualTo(1);
        assertThat(HexFormat.of().formatHex(serializer.serialize(GOLDEN_UPSERT))).isEqualTo(GOLDEN_UPSERT_V1);
        QdrantCommittable read = serializer.deserialize(1, HexFormat.of().parseHex(GOLDEN_UPSERT_V1));
        assertThat(read).isEqualTo(GOLDEN_UPSERT);
        assertThat(read.writes().get(1).vector()).containsExactly(Float.MIN_VALUE, Float.MAX_VALUE);
    }

    @Test
    void unknownVersionsFailWithAHint() throws Exception {
        byte[] bytes = serializer.serialize(GOLDEN_UPSERT);
        assertThatThrownBy(() -> serializer.deserialize(2, bytes))
                .hasMessageContaining("format version 2").hasMessageContaining("reads version 1");
        assertThatThrownBy(() -> serializer.deserialize(0, bytes)).hasMessageContaining("format version 0");
    }

    @Test
    void truncatedOrTrailingBytesFailTheRestore() throws Exception {
        byte[] bytes = serializer.serialize(GOLDEN_UPSERT);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> serializer.deserialize(1, longer)).hasMessageContaining("trailing");
        for (int cut : new int[] {0, 3, 10, bytes.length / 2, bytes.length - 1}) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> serializer.deserialize(1, truncated)).as("cut at " + cut)
                    .isInstanceOf(java.io.IOException.class);
        }
    }
}
