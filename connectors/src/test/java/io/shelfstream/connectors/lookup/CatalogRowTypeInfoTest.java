package io.shelfstream.connectors.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class CatalogRowTypeInfoTest {

    private static CatalogRow roundTrip(CatalogRow row) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        CatalogRowTypeInfo.Serializer.INSTANCE.serialize(row, out);
        return CatalogRowTypeInfo.Serializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void everyCatalogValueTypeSurvivesARoundTripInOrder() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("title", "A".repeat(70_000));
        fields.put("description", null);
        fields.put("genres", List.of("fantasy", "adventure"));
        fields.put("grade_level", 6);
        fields.put("big", 7L);
        fields.put("small", (short) 3);
        fields.put("score", 0.5d);
        fields.put("ratio", 0.25f);
        fields.put("available", true);
        fields.put("price", new BigDecimal("12.50"));
        fields.put("updated_at", Instant.parse("2026-01-01T00:00:10.123456Z"));
        fields.put("published", LocalDate.of(2001, 2, 3));
        fields.put("uuid", new UUID(1, 2));
        fields.put("nested", Arrays.asList(1, null, "x"));
        CatalogRow row = new CatalogRow("b1", fields);

        CatalogRow copy = roundTrip(row);
        assertThat(copy).isEqualTo(row);
        assertThat(copy.asMap().keySet()).containsExactlyElementsOf(fields.keySet());
    }

    @Test
    void anUnsupportedValueNamesItsField() {
        CatalogRow row = new CatalogRow("b1", Map.of("cover", new byte[0][]));
        assertThatThrownBy(() -> roundTrip(row)).hasMessageContaining("Catalog field 'cover'");
    }
}
