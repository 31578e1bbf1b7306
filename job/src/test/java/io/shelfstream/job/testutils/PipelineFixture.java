package io.shelfstream.job.testutils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.qdrant.QdrantAliases;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.QdrantPoints;
import io.shelfstream.connectors.testutils.TestNames;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.schemas.CatalogLoader;
import io.shelfstream.schemas.CatalogSql;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * Fresh names on the shared local services for one pipeline test: the three input topics and a dead-letter topic,
 * a catalog database with the schema, two Qdrant collections and a consumer group; the job options pointing at
 * them; and the small helpers pipeline tests need (sending records, reading Qdrant, waiting).
 */
public final class PipelineFixture implements AutoCloseable {

    /** How long {@link #waitUntil} waits by default. */
    public static final Duration WAIT = Duration.ofSeconds(Long.getLong("shelfstream.test.wait-seconds", 180));

    private final LocalKafka kafka;
    private final LocalPostgres postgres = LocalServices.postgres();
    private final Map<EventTopic, String> topics = new EnumMap<>(EventTopic.class);
    private final String deadLetterTopic;
    private final String database;
    private final String jdbcUrl;
    private final String books;
    private final String students;
    private QdrantClient client;

    private PipelineFixture(int partitions, LocalKafka kafka, Map<EventTopic, String> topicNames, String books,
            String students) {
        this.kafka = kafka;
        for (EventTopic t : EventTopic.values()) {
            topics.put(t, topicNames.getOrDefault(t, TestNames.fresh(t.defaultName())));
            kafka.createTopic(topics.get(t), partitions);
        }
        deadLetterTopic = TestNames.fresh("dlq");
        kafka.createTopic(deadLetterTopic, 1);
        database = TestNames.fresh("catalog");
        jdbcUrl = postgres.createDatabase(database);
        postgres.execute(database, CatalogSql.ddl());
        this.books = books;
        this.students = students;
    }

    /** Creates topics with {@code partitions} partitions each, an empty catalog and fresh collection names. */
    public static PipelineFixture create(int partitions) {
        return create(partitions, LocalServices.kafka());
    }

    /** Like {@link #create(int)}, on a broker of the test's own (one the test stops, for instance). */
    public static PipelineFixture create(int partitions, LocalKafka kafka) {
        return new PipelineFixture(partitions, kafka, Map.of(), TestNames.fresh("books"), TestNames.fresh("students"));
    }

    /**
     * Like {@link #create(int)}, with given names for the input topics and the collections (for a job restored from
     * a savepoint that names them); the dead-letter topic and the catalog database are still fresh.
     */
    public static PipelineFixture create(int partitions, Map<EventTopic, String> topics, String booksCollection,
            String studentsCollection) {
        return new PipelineFixture(partitions, LocalServices.kafka(), topics, booksCollection, studentsCollection);
    }

    /** The job options for these names: CPU embedding, 1 s checkpoints, a fresh consumer group. */
    public JobOptions options() {
        return JobOptions.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.group-id", TestNames.fresh("group"))
                .with("topic.books", topics.get(EventTopic.BOOKS))
                .with("topic.students", topics.get(EventTopic.STUDENTS))
                .with("topic.checkouts", topics.get(EventTopic.CHECKOUTS))
                .with("topic.dead-letter", deadLetterTopic)
                .with("catalog.jdbc-url", jdbcUrl)
                .with("qdrant.url", "http://localhost:" + LocalServices.qdrant().port())
                .with("qdrant.collection.books", books)
                .with("qdrant.collection.students", students)
                .with("embedding.device", "cpu")
                .with("checkpoint.interval", "1s");
    }

    /**
     * An environment for a job of {@code options} that restarts after a failure up to 1,000 times,
     * {@code restartDelay} apart: for tests that inject failures or outages.
     */
    public static StreamExecutionEnvironment restartingEnvironment(JobOptions options, Duration restartDelay) {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1_000);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, restartDelay);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        ShelfstreamJob.configure(env, options);
        return env;
    }

    /**
     * The job over all three topics with the production sources and sinks of {@code options}.
     *
     * @param bounded read each topic up to its end offsets at start, then finish
     */
    public static ShelfstreamJob job(JobOptions options, boolean bounded) {
        if (!bounded) {
            return new ShelfstreamJob(options, ShelfstreamJob.booksSource(options),
                    ShelfstreamJob.studentsSource(options), ShelfstreamJob.checkoutsSource(options),
                    ShelfstreamJob.qdrantSink(options), ShelfstreamJob.deadLetterSink(options));
        }
        return new ShelfstreamJob(options,
                ShelfstreamJob.topicSourceBuilder(options, options.get("topic.books"))
                        .setBounded(OffsetsInitializer.latest()).build(),
                ShelfstreamJob.topicSourceBuilder(options, options.get("topic.students"))
                        .setBounded(OffsetsInitializer.latest()).build(),
                ShelfstreamJob.topicSourceBuilder(options, options.get("topic.checkouts"))
                        .setBounded(OffsetsInitializer.latest()).build(),
                ShelfstreamJob.qdrantSink(options), ShelfstreamJob.deadLetterSink(options));
    }

    /**
     * The job over all three topics, each read up to its end offsets at start through a {@link FailingSource}: paced
     * at {@code recordsPerSecond} per reader, and failing at the points of the plan named {@code failurePlan}
     * ({@code null}: never).
     */
    public static ShelfstreamJob pacedJob(JobOptions options, double recordsPerSecond, String failurePlan) {
        return pacedJob(options, recordsPerSecond, failurePlan, Map.of());
    }

    /**
     * Like {@link #pacedJob(JobOptions, double, String)}, with extra Kafka consumer properties for the three sources
     * (for example a small {@code max.partition.fetch.bytes}, so that the readers keep fetching from the broker
     * rather than holding most of a small topic in their fetch buffers).
     */
    public static ShelfstreamJob pacedJob(JobOptions options, double recordsPerSecond, String failurePlan,
            Map<String, String> consumerProperties) {
        return new ShelfstreamJob(options,
                paced(options, options.get("topic.books"), recordsPerSecond, failurePlan, consumerProperties),
                paced(options, options.get("topic.students"), recordsPerSecond, failurePlan, consumerProperties),
                paced(options, options.get("topic.checkouts"), recordsPerSecond, failurePlan, consumerProperties),
                ShelfstreamJob.qdrantSink(options), ShelfstreamJob.deadLetterSink(options));
    }

    private static Source<RawRecord, ?, ?> paced(JobOptions options, String topic, double recordsPerSecond,
            String failurePlan, Map<String, String> consumerProperties) {
        KafkaSourceBuilder<RawRecord> builder = ShelfstreamJob.topicSourceBuilder(options, topic)
                .setBounded(OffsetsInitializer.latest());
        consumerProperties.forEach(builder::setProperty);
        return new FailingSource<>(builder.build(), TypeInformation.of(RawRecord.class), failurePlan,
                recordsPerSecond);
    }

    /** Loads the generator's catalog into the database. */
    public void loadCatalog(LibraryGenerator library) throws Exception {
        CatalogLoader.create().load(jdbcUrl, LocalPostgres.USER, LocalPostgres.PASSWORD, library.books(),
                library.students());
    }

    /** Sends records to a topic, in order, and waits until all are acknowledged (fails if one is not). */
    public void send(EventTopic topic, List<GeneratedRecord> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (GeneratedRecord r : records) {
                acks.add(producer.send(new ProducerRecord<>(topics.get(topic), r.keyBytes(), r.value())));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
    }

    /** A client of the local Qdrant-compatible server, closed with the fixture. */
    public synchronized QdrantClient qdrant() {
        if (client == null) {
            client = QdrantEndpoint.of("localhost", LocalServices.qdrant().port()).newClient();
        }
        return client;
    }

    /** Points of a collection, by point id; empty when the collection does not exist. */
    public Map<String, RetrievedPoint> points(String collection) {
        try {
            if (!exists(collection)) {
                return new HashMap<>();
            }
            return QdrantPoints.scrollAll(qdrant(), collection);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Whether a collection, or an alias of one, of this name exists. */
    private boolean exists(String name) throws Exception {
        if (qdrant().collectionExistsAsync(name).get()) {
            return true;
        }
        try (QdrantAliases aliases = QdrantAliases.using(qdrant())) {
            return aliases.target(name).isPresent();
        }
    }

    /** Points in a collection (or behind an alias); 0 when it does not exist. */
    public long count(String collection) {
        try {
            return exists(collection) ? qdrant().countAsync(collection).get() : 0;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Polls {@code condition} every 200 ms until it holds; fails after {@link #WAIT}. */
    public static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + WAIT.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(200);
        }
    }

    /** A connection to the catalog database. */
    public java.sql.Connection catalog() throws java.sql.SQLException {
        return postgres.connect(database);
    }

    public LocalKafka kafka() {
        return kafka;
    }

    public String topic(EventTopic topic) {
        return topics.get(topic);
    }

    /** The catalog database's name. */
    public String database() {
        return database;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    public String booksCollection() {
        return books;
    }

    public String studentsCollection() {
        return students;
    }

    @Override
    public synchronized void close() throws Exception {
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
