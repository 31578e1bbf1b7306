package io.shelfstream.connectors.local.qdrant;

import static io.qdrant.client.ValueFactory.list;
import static io.qdrant.client.ValueFactory.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.qdrant.client.grpc.JsonWithInt.Value;

class JsonPathTest {

    @Test
    void parsesQdrantKeySyntax() {
        for (String valid : List.of("a", "a.b", "a_b-c", "a[]", "a[0].b", "a[].b[].c", "\"dotted.key\"", "a.\"b c\"",
                "größe")) {
            assertThat(JsonPath.tryParse(valid)).as(valid).isNotNull();
        }
        for (String invalid : List.of("", ".a", "a.", "a..b", "a b", "a[x]", "a[", "a.b!", "\"open", "a[-1]")) {
            assertThat(JsonPath.tryParse(invalid)).as(invalid).isNull();
        }
    }

    @Test
    void collectsValuesThroughObjectsAndWildcards() {
        Map<String, Value> payload = Map.of(
                "a", value(Map.of("b", value(1))),
                "list", list(List.of(value(Map.of("x", value("p"))), value(Map.of("x", value("q"))), value(3))),
                "dotted.key", value("d"));
        assertThat(JsonPath.parse("a.b").values(payload)).containsExactly(value(1));
        assertThat(JsonPath.parse("list[].x").values(payload)).containsExactly(value("p"), value("q"));
        assertThat(JsonPath.parse("list[1].x").values(payload)).containsExactly(value("q"));
        assertThat(JsonPath.parse("list[7].x").values(payload)).isEmpty();
        assertThat(JsonPath.parse("list.x").values(payload)).isEmpty();
        assertThat(JsonPath.parse("\"dotted.key\"").values(payload)).containsExactly(value("d"));
        assertThat(JsonPath.parse("a.b.c").values(payload)).isEmpty();
    }
}
