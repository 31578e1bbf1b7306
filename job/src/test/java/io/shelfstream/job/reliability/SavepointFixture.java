package io.shelfstream.job.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.qdrant.internal.PointStructs;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.job.testutils.LibraryInput;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;

/**
 * A savepoint of a released version of the job, kept under {@code src/test/resources/savepoints/<version>/}, and what
 * a test needs to restore it into the current job: {@code manifest.properties} (the generated library, which records
 * of it the job had consumed and at which end offsets, the names its state refers to, the options it ran with),
 * {@code savepoint/} (a canonical stop-with-savepoint on RocksDB) and {@code qdrant-points.jsonl.gz} (every point
 * of both collections at the savepoint, vectors as little-endian float32 in base64).
 *
 * <p>Written by {@link SavepointFixtureWriterITCase}, read by {@link OldSavepointRestoreITCase}.
 */
final class SavepointFixture {

    static final String MANIFEST = "manifest.properties";
    static final String SAVEPOINT_DIR = "savepoint";
    static final String POINTS = "qdrant-points.jsonl.gz";
    static final String VECTOR = "text";

    private static final ObjectMapper JSON = new ObjectMapper();

    final Properties manifest;

    SavepointFixture(Properties manifest) {
        this.manifest = manifest;
    }

    static SavepointFixture read(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(MANIFEST), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return new SavepointFixture(p);
    }

    String get(String key) {
        String value = manifest.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("The savepoint fixture's manifest has no " + key);
        }
        return value;
    }

    int getInt(String key) {
        return Integer.parseInt(get(key));
    }

    /** The generator options the fixture's library came from. */
    GeneratorOptions generatorOptions() {
        return GeneratorOptions.builder()
                .setBooks(getInt("library.books"))
                .setStudents(getInt("library.students"))
                .setCheckouts(getInt("library.checkouts"))
                .setSeed(Long.parseLong(get("library.seed")))
                .setMalformedFraction(Double.parseDouble(get("library.malformed-fraction")))
                .setMaxRecordBytes(getInt("library.max-record-bytes"))
                .build();
    }

    /** The topic names the savepoint's Kafka source state refers to. */
    Map<EventTopic, String> topics() {
        Map<EventTopic, String> topics = new EnumMap<>(EventTopic.class);
        for (EventTopic t : EventTopic.values()) {
            topics.put(t, get("topic." + t.defaultName()));
        }
        return topics;
    }

    /** The records of {@code input} the job had consumed at the savepoint, per topic, in the order they were sent. */
    Map<EventTopic, List<GeneratedRecord>> consumed(LibraryInput input) {
        Map<EventTopic, List<GeneratedRecord>> consumed = new EnumMap<>(EventTopic.class);
        consumed.put(EventTopic.BOOKS, input.books.subList(0, getInt("consumed.books")));
        consumed.put(EventTopic.STUDENTS, input.students.subList(0, getInt("consumed.students")));
        consumed.put(EventTopic.CHECKOUTS, input.checkouts.subList(0, getInt("consumed.checkouts")));
        return consumed;
    }

    /** SHA-256 over the keys and values of records, so a changed generator is caught before a restore. */
    static String digest(List<GeneratedRecord> records) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (GeneratedRecord r : records) {
                byte[] key = r.keyBytes();
                sha.update(ByteBuffer.allocate(8).putInt(key.length).putInt(r.value().length).array());
                sha.update(key);
                sha.update(r.value());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes every point of the collections, keyed by their role ({@code books}, {@code students}). */
    static int writePoints(Path file, QdrantClient client, Map<String, String> collectionsByRole) throws Exception {
        int n = 0;
        try (Writer w = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(file)),
                StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> c : collectionsByRole.entrySet()) {
                List<RetrievedPoint> points = new ArrayList<>(QdrantPoints.scrollAll(client, c.getValue()).values());
                points.sort((a, b) -> a.getId().getUuid().compareTo(b.getId().getUuid()));
                for (RetrievedPoint p : points) {
                    float[] vector = QdrantPoints.vector(p, VECTOR);
                    ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (float f : vector) {
                        bytes.putFloat(f);
                    }
                    Map<String, Object> payload = new TreeMap<>();
                    p.getPayloadMap().forEach((k, v) -> payload.put(k, Payloads.toJava(v)));
                    ObjectNode line = JSON.createObjectNode();
                    line.put("collection", c.getKey());
                    line.put("id", p.getId().getUuid());
                    line.put("vector", Base64.getEncoder().encodeToString(bytes.array()));
                    line.set("payload", JSON.valueToTree(payload));
                    w.write(JSON.writeValueAsString(line));
                    w.write('\n');
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Creates the collections (one named vector, 384, Cosine) and upserts the fixture's points into them, so that
     * Qdrant holds what it held when the savepoint was taken.
     *
     * @return the points written per role
     */
    Map<String, Integer> seedQdrant(Path dir, QdrantClient client, Map<String, String> collectionsByRole)
            throws Exception {
        Map<String, List<PointStruct>> byRole = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(dir.resolve(POINTS))), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode node = JSON.readTree(line);
                String role = node.get("collection").asText();
                ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(node.get("vector").asText()))
                        .order(ByteOrder.LITTLE_ENDIAN);
                float[] vector = new float[bytes.remaining() / 4];
                for (int i = 0; i < vector.length; i++) {
                    vector[i] = bytes.getFloat();
                }
                String collection = collectionsByRole.get(role);
                PointWrite write = PointWrite.upsert(collection, UUID.fromString(node.get("id").asText()), vector,
                        JSON.writeValueAsString(node.get("payload")));
                byRole.computeIfAbsent(role, k -> new ArrayList<>()).add(PointStructs.toPointStruct(write, VECTOR));
            }
        }
        VectorParams params = VectorParams.newBuilder().setSize(384).setDistance(Distance.Cosine).build();
        Map<String, Integer> written = new LinkedHashMap<>();
        for (Map.Entry<String, String> c : collectionsByRole.entrySet()) {
            client.createCollectionAsync(c.getValue(), Map.of(VECTOR, params)).get(30, TimeUnit.SECONDS);
            List<PointStruct> points = byRole.getOrDefault(c.getKey(), List.of());
            if (!points.isEmpty()) {
                client.upsertAsync(c.getValue(), points).get(30, TimeUnit.SECONDS);
            }
            written.put(c.getKey(), points.size());
        }
        return written;
    }

    /** The end offset of each partition of a topic, by partition. */
    static Map<Integer, Long> endOffsets(LocalKafka kafka, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<Integer, Long> out = new TreeMap<>();
            consumer.endOffsets(partitions).forEach((tp, o) -> out.put(tp.partition(), o));
            return out;
        }
    }

    /** Copies a directory tree. */
    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** A payload as plain Java values, for comparisons. */
    static Map<String, Object> javaPayload(Map<String, Value> payload) {
        Map<String, Object> out = new TreeMap<>();
        payload.forEach((k, v) -> out.put(k, Payloads.toJava(v)));
        return out;
    }
}
