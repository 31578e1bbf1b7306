package io.shelfstream.connectors.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class QdrantSinkBuilderTest {

    @Test
    void buildRequiresEndpointAndVectorSize() {
        assertThatThrownBy(() -> QdrantSink.builder().setVectorSize(384).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("setEndpoint");
        assertThatThrownBy(() -> QdrantSink.builder().setEndpoint(QdrantEndpoint.of("localhost", 6334)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("setVectorSize");
    }

    @Test
    void optionsAreValidatedOnEntry() {
        assertThatThrownBy(() -> QdrantSink.builder().setVectorSize(0))
                .hasMessageContaining("vector size must be in 1..65536");
        assertThatThrownBy(() -> QdrantSink.builder().setMaxBatchPoints(0))
                .hasMessageContaining("max batch points");
        assertThatThrownBy(() -> QdrantSink.builder().setVectorName(" "))
                .hasMessageContaining("vector name");
        assertThatThrownBy(() -> QdrantSink.builder().addCollection("", List.of()))
                .hasMessageContaining("collection name");
    }

    @Test
    void endpointParsesUrls() {
        assertThat(QdrantEndpoint.parse("http://qdrant:6334")).isEqualTo(QdrantEndpoint.of("qdrant", 6334));
        assertThat(QdrantEndpoint.parse("https://cloud.example:443").tls()).isTrue();
        assertThat(QdrantEndpoint.parse("qdrant").port()).isEqualTo(QdrantEndpoint.DEFAULT_GRPC_PORT);
        assertThatThrownBy(() -> QdrantEndpoint.parse("http://:6334")).hasMessageContaining("Not a Qdrant URL");
        assertThat(QdrantEndpoint.of("h", 1).withApiKey("secret").toString()).doesNotContain("secret");
    }

    @Test
    void upsertNeedsVectorAndPayload() {
        assertThatThrownBy(() -> new PointWrite("books", "id", false, null, "{}"))
                .hasMessageContaining("needs a vector");
        assertThat(PointWrite.delete("books", java.util.UUID.randomUUID()).delete()).isTrue();
    }
}
