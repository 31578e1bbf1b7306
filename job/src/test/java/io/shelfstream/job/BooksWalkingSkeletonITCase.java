package io.shelfstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.schemas.CatalogSql;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;

/**
 * The walking skeleton: a {@code books} event on Kafka reaches Qdrant through the catalog lookup and the model,
 * and bad records reach the dead-letter topic with their reason.
 */
class BooksWalkingSkeletonITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void bookEventBecomesAQdrantPointWithCatalogPayloadAndModelVector() throws Exception {
        LocalKafka kafka = LocalServices.kafka();
        LocalPostgres postgres = LocalServices.postgres();
        String booksTopic = TestNames.fresh("books");
        String dlqTopic = TestNames.fresh("dlq");
        String database = TestNames.fresh("catalog");
        String collection = TestNames.fresh("books");
        kafka.createTopic(booksTopic, 2);
        kafka.createTopic(dlqTopic, 1);
        String jdbcUrl = postgres.createDatabase(database);
        postgres.execute(database, CatalogSql.ddl());
        postgres.execute(database, CatalogSql.sampleData());

        kafka.send(booksTopic, "b-0001", event("e-1", "book_added", "\"book_id\":\"b-0001\""));
        kafka.send(booksTopic, "batch", event("e-2", "book_added", "\"book_ids\":[\"b-0003\",\"b-0004\"]"));
        kafka.send(booksTopic, "b-9999", event("e-3", "book_added", "\"book_id\":\"b-9999\""));
        kafka.send(booksTopic, "junk", "this is not json");

        JobOptions options = JobOptions.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.group-id", TestNames.fresh("group"))
                .with("topic.books", booksTopic)
                .with("topic.dead-letter", dlqTopic)
                .with("catalog.jdbc-url", jdbcUrl)
                .with("qdrant.url", "http://localhost:" + LocalServices.qdrant().port())
                .with("qdrant.collection.books", collection)
                .with("embedding.device", "cpu")
                .with("checkpoint.interval", "1s");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ShelfstreamJob.configure(env, options);
        new ShelfstreamJob(
                options,
                ShelfstreamJob.booksSourceBuilder(options).setBounded(OffsetsInitializer.latest()).build(),
                ShelfstreamJob.qdrantSink(options),
                ShelfstreamJob.deadLetterSink(options))
                .build(env);
        env.execute("walking-skeleton");

        try (QdrantClient client = QdrantEndpoint.of("localhost", LocalServices.qdrant().port()).newClient();
                Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            assertThat(client.countAsync(collection).get()).isEqualTo(3L);

            RetrievedPoint lighthouse = retrieve(client, collection, "b-0001");
            Map<String, Object> payload = payloadOf(lighthouse);
            assertThat(payload).containsEntry("book_id", "b-0001")
                    .containsEntry("title", "The Lighthouse Keeper's Daughter")
                    .containsEntry("author", "Mara Ellison")
                    .containsEntry("reading_level", "middle-grade")
                    .containsEntry("model_id", embedder.modelId())
                    .containsEntry("event_id", "e-1");
            assertThat(payload.get("genres")).isEqualTo(List.of("adventure", "mystery"));

            String expectedText = EmbeddingTexts.book("The Lighthouse Keeper's Daughter", "Mara Ellison",
                    "A girl who tends a remote lighthouse discovers a shipwrecked stranger and must decide whom "
                            + "to trust as a storm cuts the island off from the mainland.",
                    List.of("adventure", "mystery"));
            float[] direct = embedder.embed(List.of(expectedText))[0];
            float[] stored = QdrantPoints.vector(lighthouse, "text");
            assertThat(QdrantPoints.cosine(direct, stored)).isGreaterThanOrEqualTo(0.9999);

            // a book without description still gets a point, from its title, author and genres
            RetrievedPoint tidePools = retrieve(client, collection, "b-0004");
            assertThat(payloadOf(tidePools)).containsEntry("title", "Tide Pools");
            float[] tideDirect = embedder.embed(List.of(
                    EmbeddingTexts.book("Tide Pools", "Hannah Okafor", null, List.of("nature", "non-fiction"))))[0];
            assertThat(QdrantPoints.cosine(tideDirect, QdrantPoints.vector(tidePools, "text")))
                    .isGreaterThanOrEqualTo(0.9999);
        }

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(dlqTopic, 2, Duration.ofSeconds(30));
        Map<String, JsonNode> byReason = dead.stream()
                .map(r -> readTree(r.value()))
                .collect(Collectors.toMap(n -> n.get("reason").asText(), n -> n));
        assertThat(byReason).containsOnlyKeys("not_json", "catalog_row_missing");
        assertThat(byReason.get("not_json").get("topic").asText()).isEqualTo(booksTopic);
        assertThat(new String(java.util.Base64.getDecoder().decode(
                byReason.get("not_json").get("value_base64").asText()), StandardCharsets.UTF_8))
                .isEqualTo("this is not json");
        assertThat(byReason.get("catalog_row_missing").get("detail").asText()).contains("b-9999");
    }

    private static String event(String eventId, String type, String ids) {
        return "{\"event_id\":\"" + eventId + "\",\"event_type\":\"" + type
                + "\",\"occurred_at\":\"2026-11-23T10:00:00Z\"," + ids + "}";
    }

    private static RetrievedPoint retrieve(QdrantClient client, String collection, String bookId) throws Exception {
        UUID id = PointIds.book(bookId);
        List<RetrievedPoint> points = client.retrieveAsync(collection, List.of(PointIdFactory.id(id)), true, true, null).get();
        assertThat(points).as("point of book %s", bookId).hasSize(1);
        return points.get(0);
    }

    private static Map<String, Object> payloadOf(RetrievedPoint p) {
        return p.getPayloadMap().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(Payloads.toJava(e.getValue())).equals("null")
                        ? "null" : Payloads.toJava(e.getValue())));
    }

    private static JsonNode readTree(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
