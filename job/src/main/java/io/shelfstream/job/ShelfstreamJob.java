package io.shelfstream.job;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.QdrantSink;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.job.operators.BookCatalogLookup;
import io.shelfstream.job.operators.EmbedBooksFunction;
import io.shelfstream.job.operators.ParseBooksFunction;
import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.EnrichedBook;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.schemas.DeadLetter;

/**
 * The shelfstream pipeline: {@code books} events from Kafka, enriched from the PostgreSQL catalog, embedded with
 * all-MiniLM-L6-v2 and written to Qdrant; rejected records go to the dead-letter topic.
 *
 * <p>The class takes its sources and sinks as arguments so tests can run it in a MiniCluster against local
 * services; {@link #main} wires the production connectors from {@link JobOptions}. Operator uids are constants
 * and never change once released: savepoints map state by them.
 *
 * <pre>{@code
 * flink run job/target/shelfstream-job-0.1.0-SNAPSHOT.jar \
 *     --kafka.bootstrap-servers kafka:9092 --catalog.jdbc-url jdbc:postgresql://pg:5432/catalog \
 *     --qdrant.url http://qdrant:6334
 * }</pre>
 */
public final class ShelfstreamJob {

    public static final String UID_BOOKS_SOURCE = "books-source";
    public static final String UID_PARSE_BOOKS = "parse-books";
    public static final String UID_CATALOG_LOOKUP = "catalog-lookup-books";
    public static final String UID_EMBED_BOOKS = "embed-books";
    public static final String UID_QDRANT_SINK = "qdrant-sink";
    public static final String UID_DEAD_LETTER_SINK = "dead-letter-sink";

    /** Filter fields indexed in the {@code books} collection. */
    public static final List<String> BOOK_FILTER_FIELDS = List.of("genres", "reading_level", "author");

    private static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };

    private final JobOptions options;
    private final Source<RawRecord, ?, ?> booksSource;
    private final Sink<PointWrite> pointSink;
    private final Sink<DeadLetter> deadLetterSink;

    public ShelfstreamJob(
            JobOptions options,
            Source<RawRecord, ?, ?> booksSource,
            Sink<PointWrite> pointSink,
            Sink<DeadLetter> deadLetterSink) {
        this.options = options;
        this.booksSource = booksSource;
        this.pointSink = pointSink;
        this.deadLetterSink = deadLetterSink;
    }

    /** Adds the pipeline to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        DataStream<RawRecord> books = env
                .fromSource(booksSource, WatermarkStrategy.noWatermarks(), "Kafka: books")
                .uid(UID_BOOKS_SOURCE);

        SingleOutputStreamOperator<BookChange> changes = books
                .process(new ParseBooksFunction(DEAD_LETTERS, options.positiveInt("record.max-bytes")))
                .uid(UID_PARSE_BOOKS)
                .name("Parse books events");

        // keyBy first: per-book order is kept by the ordered async wait within each key's subtask.
        SingleOutputStreamOperator<EnrichedBook> enriched = AsyncDataStream.orderedWait(
                        changes.keyBy(BookChange::bookId),
                        new BookCatalogLookup(options.get("catalog.jdbc-url"), options.get("catalog.user"),
                                options.get("catalog.password"), options.positiveInt("catalog.pool-size")),
                        options.duration("catalog.timeout").toMillis(), TimeUnit.MILLISECONDS, 100)
                .uid(UID_CATALOG_LOOKUP)
                .name("Catalog lookup: books");

        SingleOutputStreamOperator<PointWrite> points = enriched
                .process(new EmbedBooksFunction(options.get("qdrant.collection.books"),
                        EmbedderOptions.builder().setDevice(options.get("embedding.device")).build(), DEAD_LETTERS))
                .uid(UID_EMBED_BOOKS)
                .name("Embed books (all-MiniLM-L6-v2)");

        points.sinkTo(pointSink).uid(UID_QDRANT_SINK).name("Qdrant: books");

        changes.getSideOutput(DEAD_LETTERS)
                .union(points.getSideOutput(DEAD_LETTERS))
                .sinkTo(deadLetterSink)
                .uid(UID_DEAD_LETTER_SINK)
                .name("Kafka: dead letters");
    }

    /** Configures checkpointing and parallelism from the options. */
    public static void configure(StreamExecutionEnvironment env, JobOptions options) {
        env.enableCheckpointing(options.duration("checkpoint.interval").toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.setParallelism(options.positiveInt("parallelism"));
    }

    /** The production entry point, for {@code flink run}. */
    public static void main(String[] args) throws Exception {
        JobOptions options = JobOptions.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        new ShelfstreamJob(options, booksSource(options), qdrantSink(options), deadLetterSink(options)).build(env);
        env.execute("shelfstream");
    }

    /** The Kafka source of the {@code books} topic, offsets in checkpoints, earliest when none committed. */
    public static KafkaSource<RawRecord> booksSource(JobOptions options) {
        return booksSourceBuilder(options).build();
    }

    /** The builder behind {@link #booksSource}, for tests that bound the source. */
    public static KafkaSourceBuilder<RawRecord> booksSourceBuilder(JobOptions options) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(options.get("kafka.bootstrap-servers"))
                .setTopics(options.get("topic.books"))
                .setGroupId(options.get("kafka.group-id"))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializer());
    }

    /** The Qdrant sink for all collections the job writes. */
    public static QdrantSink qdrantSink(JobOptions options) {
        QdrantEndpoint endpoint = QdrantEndpoint.parse(options.get("qdrant.url"));
        String key = options.get("qdrant.api-key");
        if (!key.isEmpty()) {
            endpoint = endpoint.withApiKey(key);
        }
        return QdrantSink.builder()
                .setEndpoint(endpoint)
                .setVectorSize(384)
                .addCollection(options.get("qdrant.collection.books"), BOOK_FILTER_FIELDS)
                .build();
    }

    /** The dead-letter Kafka sink, exactly-once like the rest of the job. */
    public static KafkaSink<DeadLetter> deadLetterSink(JobOptions options) {
        String topic = options.get("topic.dead-letter");
        Properties producer = new Properties();
        producer.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(options.get("kafka.bootstrap-servers"))
                .setKafkaProducerConfig(producer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.get("kafka.group-id") + "-dlq")
                .setRecordSerializer((KafkaRecordSerializationSchema<DeadLetter>) (dl, ctx, ts) ->
                        new ProducerRecord<>(topic, dl.key(), dl.toJson()))
                .build();
    }
}
