package io.shelfstream.connectors.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

import io.shelfstream.connectors.qdrant.internal.QdrantCommittableSerializer;
import io.shelfstream.connectors.qdrant.internal.SinkSettings;

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

    private static QdrantSink.Builder minimal() {
        return QdrantSink.builder().setEndpoint(QdrantEndpoint.of("localhost", 6334)).setVectorSize(384)
                .addCollection("books", List.of("genres", "author"));
    }

    @Test
    void defaultsAreExactlyOnceWithNamedConstants() {
        QdrantSink sink = minimal().build();
        SinkSettings s = sink.settings();
        assertThat(sink.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(s.vectorName()).isEqualTo(QdrantSink.DEFAULT_VECTOR_NAME);
        assertThat(s.maxBatchPoints()).isEqualTo(QdrantSink.DEFAULT_MAX_BATCH_POINTS);
        assertThat(s.maxBatchBytes()).isEqualTo(QdrantSink.DEFAULT_MAX_BATCH_BYTES)
                .isLessThanOrEqualTo(QdrantSink.QDRANT_REQUEST_LIMIT_BYTES);
        assertThat(s.retryPolicy().maxRetries()).isEqualTo(QdrantSink.DEFAULT_MAX_RETRIES);
        assertThat(s.requestTimeout()).isEqualTo(QdrantSink.DEFAULT_REQUEST_TIMEOUT);
        assertThat(s.collections().get("books")).containsOnlyKeys("genres", "author")
                .containsValue(PayloadIndexType.KEYWORD);
        assertThat(sink.getCommittableSerializer()).isInstanceOf(QdrantCommittableSerializer.class);
    }

    @Test
    void everyOptionIsKept() {
        QdrantSink sink = QdrantSink.builder()
                .setEndpoint(QdrantEndpoint.parse("https://q.example:6334").withApiKey("k"))
                .setVectorName("dense").setVectorSize(8).setMaxBatchPoints(10).setMaxBatchBytes(4096)
                .setMaxBufferedBytes(1 << 20).setMaxRetries(0).setRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(1))
                .setRequestTimeout(Duration.ofSeconds(2)).setDeliveryGuarantee(DeliveryGuarantee.NONE)
                .addCollection("books", Map.of("level", PayloadIndexType.INTEGER))
                .addCollection("students", List.of())
                .build();
        SinkSettings s = sink.settings();
        assertThat(s.endpoint().tls()).isTrue();
        assertThat(s.endpoint().apiKey()).isEqualTo("k");
        assertThat(s.vectorName()).isEqualTo("dense");
        assertThat(s.maxBatchBytes()).isEqualTo(4096);
        assertThat(s.retryPolicy().maxRetries()).isZero();
        assertThat(s.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.NONE);
        assertThat(s.collections()).containsOnlyKeys("books", "students");
        assertThat(s.collections().get("books")).containsEntry("level", PayloadIndexType.INTEGER);
    }

    @Test
    void newOptionsAreValidatedOnEntryWithTheRange() {
        assertThatThrownBy(() -> QdrantSink.builder().setMaxBatchPoints(10_001)).hasMessageContaining("1..10000");
        assertThatThrownBy(() -> QdrantSink.builder().setMaxBatchBytes(64L * 1024 * 1024))
                .hasMessageContaining("32 MiB");
        assertThatThrownBy(() -> QdrantSink.builder().setMaxBatchBytes(10)).hasMessageContaining("1024..");
        assertThatThrownBy(() -> QdrantSink.builder().setMaxRetries(-1)).hasMessageContaining("0..1000");
        assertThatThrownBy(() -> QdrantSink.builder().setRetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("shorter than the initial backoff");
        assertThatThrownBy(() -> QdrantSink.builder().setRetryBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> QdrantSink.builder().setRequestTimeout(Duration.ZERO))
                .hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> QdrantSink.builder().setDeliveryGuarantee(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> QdrantSink.builder().setVectorName("a/b")).hasMessageContaining("not valid in Qdrant");
        assertThatThrownBy(() -> QdrantSink.builder().addCollection("a:b", List.of()))
                .hasMessageContaining("not valid in Qdrant");
        assertThatThrownBy(() -> QdrantSink.builder().addCollection("books", List.of("genres", "genres")))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> QdrantSink.builder().addCollection("books", List.of()).addCollection("books",
                List.of("genres"))).hasMessageContaining("added twice");
    }

    @Test
    void conflictingOptionsFailAtBuildWithAFix() {
        assertThatThrownBy(() -> QdrantSink.builder().setEndpoint(QdrantEndpoint.of("h", 1)).setVectorSize(3).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("addCollection");
        assertThatThrownBy(() -> minimal().setVectorSize(4096).setMaxBatchBytes(4096).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot hold a single point")
                .hasMessageContaining("raise it");
        assertThatThrownBy(() -> minimal().setMaxBatchBytes(1 << 20).setMaxBufferedBytes(1 << 16).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("setMaxBufferedBytes");
        assertThat(minimal().setMaxBatchBytes(1 << 20).setMaxBufferedBytes(1 << 16)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build())
                .as("the buffer limit only binds EXACTLY_ONCE").isNotNull();
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
