package io.shelfstream.job;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.jdbc.core.datastream.source.JdbcSource;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.shelfstream.connectors.backfill.CatalogBackfillSource;
import io.shelfstream.connectors.ledger.LedgerEntry;
import io.shelfstream.connectors.ledger.LedgerSink;
import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.CatalogTable;
import io.shelfstream.connectors.qdrant.PayloadIndexType;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.QdrantSink;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.job.operators.BookCatalogEnrichment;
import io.shelfstream.job.embed.EmbeddingBatchOptions;
import io.shelfstream.job.embed.EmbeddingOperator;
import io.shelfstream.job.ledger.LedgerEntries;
import io.shelfstream.job.migration.AliasSwitcher;
import io.shelfstream.job.migration.BackfillEnd;
import io.shelfstream.job.migration.BackfillEndMarker;
import io.shelfstream.job.operators.BookEmbeddingAdapter;
import io.shelfstream.job.operators.NewestRowFilter;
import io.shelfstream.job.operators.ParseEventsFunction;
import io.shelfstream.job.operators.StudentCatalogEnrichment;
import io.shelfstream.job.operators.StudentEmbeddingAdapter;
import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.CheckoutChange;
import io.shelfstream.job.records.EnrichedBook;
import io.shelfstream.job.records.EnrichedStudent;
import io.shelfstream.job.records.RawRecord;
import io.shelfstream.job.records.StudentChange;
import io.shelfstream.job.taste.BookCheckoutJoinOperator;
import io.shelfstream.job.taste.StudentTasteOperator;
import io.shelfstream.job.taste.TasteContribution;
import io.shelfstream.job.taste.TasteSettings;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.DeadLetter;

/**
 * The shelfstream pipeline: {@code books} and {@code students} events from Kafka, enriched from the PostgreSQL
 * catalog, embedded with all-MiniLM-L6-v2 and written to Qdrant (collections {@code books} and {@code students},
 * through one sink); {@code checkouts} are validated only; rejected records go to the dead-letter topic.
 *
 * <p>Until checkouts are joined, a student's vector is the profile vector (the embedded
 * {@link io.shelfstream.schemas.EmbeddingTexts#student profile text}, payload {@code taste_source = "profile"}).
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
    public static final String UID_STUDENTS_SOURCE = "students-source";
    public static final String UID_PARSE_STUDENTS = "parse-students";
    public static final String UID_CATALOG_LOOKUP_STUDENTS = "catalog-lookup-students";
    public static final String UID_EMBED_STUDENTS = "embed-students";
    public static final String UID_CHECKOUTS_SOURCE = "checkouts-source";
    public static final String UID_PARSE_CHECKOUTS = "parse-checkouts";
    public static final String UID_JOIN_CHECKOUTS = "join-checkouts-books";
    public static final String UID_STUDENT_TASTE = "student-taste";
    public static final String UID_NEWEST_BOOKS = "newest-row-books";
    public static final String UID_NEWEST_STUDENTS = "newest-row-students";
    public static final String UID_BACKFILL_BOOKS = "backfill-books";
    public static final String UID_BACKFILL_STUDENTS = "backfill-students";
    public static final String UID_LEDGER_SINK = "ledger-sink";
    public static final String UID_ALIAS_SWITCHER = "alias-switcher";

    /** Filter fields indexed in the {@code books} collection. */
    public static final List<String> BOOK_FILTER_FIELDS = List.of("genres", "reading_level", "author");

    /** Filter fields indexed in the {@code students} collection, with their index types. */
    public static final Map<String, PayloadIndexType> STUDENT_INDEXES = Collections.unmodifiableMap(
            new LinkedHashMap<>(Map.of("preferred_genres", PayloadIndexType.KEYWORD,
                    "grade_level", PayloadIndexType.INTEGER)));

    private static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") { };

    private final JobOptions options;
    private final Source<RawRecord, ?, ?> booksSource;
    private final Source<RawRecord, ?, ?> studentsSource;
    private final Source<RawRecord, ?, ?> checkoutsSource;
    private final Sink<PointWrite> pointSink;
    private final Sink<DeadLetter> deadLetterSink;

    /** The pipeline of the {@code books} topic only (no students path; the sink writes books alone). */
    public ShelfstreamJob(
            JobOptions options,
            Source<RawRecord, ?, ?> booksSource,
            Sink<PointWrite> pointSink,
            Sink<DeadLetter> deadLetterSink) {
        this(options, booksSource, null, null, pointSink, deadLetterSink);
    }

    /**
     * The pipeline of all three topics: books and students reach Qdrant, checkouts are validated only. A
     * {@code null} students or checkouts source leaves that topic unread (and a {@code null} students source runs
     * no students path).
     */
    public ShelfstreamJob(
            JobOptions options,
            Source<RawRecord, ?, ?> booksSource,
            Source<RawRecord, ?, ?> studentsSource,
            Source<RawRecord, ?, ?> checkoutsSource,
            Sink<PointWrite> pointSink,
            Sink<DeadLetter> deadLetterSink) {
        this.options = options;
        this.booksSource = booksSource;
        this.studentsSource = studentsSource;
        this.checkoutsSource = checkoutsSource;
        this.pointSink = pointSink;
        this.deadLetterSink = deadLetterSink;
    }

    /** Adds the pipeline to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        TasteSettings taste = options.tasteSettings();
        Set<String> backfill = options.backfillEntities();
        List<DataStream<DeadLetter>> rejected = new ArrayList<>();

        SingleOutputStreamOperator<PointWrite> bookPoints = null;
        DataStream<EnrichedBook> booksBackfill = backfill.contains("books") ? backfillBooks(env) : null;
        DataStream<EnrichedStudent> studentsBackfill = backfill.contains("students") ? backfillStudents(env) : null;
        DataStream<EnrichedBook> liveBookRows = liveBooks(env, rejected);
        DataStream<EnrichedStudent> liveStudentRows = liveStudents(env, rejected);
        if (options.bool("qdrant.versioned")) {
            List<DataStream<BackfillEnd>> switcherInputs = new ArrayList<>();
            if (booksBackfill != null) {
                switcherInputs.add(backfillEnds(booksBackfill, "books", UID_BACKFILL_BOOKS));
            }
            if (studentsBackfill != null) {
                switcherInputs.add(backfillEnds(studentsBackfill, "students", UID_BACKFILL_STUDENTS));
            }
            if (liveBookRows != null) {
                switcherInputs.add(AliasSwitcher.keepAlive(liveBookRows, UID_ALIAS_SWITCHER + "-live-books"));
            }
            if (liveStudentRows != null) {
                switcherInputs.add(AliasSwitcher.keepAlive(liveStudentRows, UID_ALIAS_SWITCHER + "-live-students"));
            }
            if (!switcherInputs.isEmpty()) {
                aliasSwitcher(switcherInputs, backfill);
            }
        }
        DataStream<EnrichedBook> bookRows = union(liveBookRows, booksBackfill);
        List<DataStream<LedgerEntry>> ledger = new ArrayList<>();
        if (bookRows != null) {
            bookPoints = embedBooks(bookRows);
            rejected.add(bookPoints.getSideOutput(DEAD_LETTERS));
            ledger.add(ledgerEntries(bookPoints, LedgerEntry.BOOK));
        }

        // Checkouts meet the book's current vector in keyed state (no model call): the join writes the book
        // points (with checkout_count) and sends each joined checkout on to the student's taste aggregate.
        DataStream<PointWrite> bookWrites = bookPoints;
        DataStream<TasteContribution> contributions = null;
        if (checkoutsSource != null) {
            if (bookPoints == null) {
                throw new IllegalArgumentException("Reading topic.checkouts needs the books path: set topic.books "
                        + "(or backfill.entities with books), or leave topic.checkouts empty");
            }
            SingleOutputStreamOperator<CheckoutChange> checkouts = env
                    .fromSource(checkoutsSource, WatermarkStrategy.noWatermarks(), "Kafka: checkouts")
                    .uid(UID_CHECKOUTS_SOURCE)
                    .process(ParseEventsFunction.checkoutChanges(DEAD_LETTERS, options.positiveInt(
                            "record.max-bytes")))
                    .uid(UID_PARSE_CHECKOUTS)
                    .name("Parse checkouts events");
            SingleOutputStreamOperator<PointWrite> joined = bookPoints
                    .keyBy(PointWrite::pointId, Types.STRING)
                    .connect(checkouts.keyBy(c -> PointIds.book(c.bookId()).toString(), Types.STRING))
                    .transform("Join checkouts with book vectors", TypeInformation.of(PointWrite.class),
                            new BookCheckoutJoinOperator(taste, DEAD_LETTERS))
                    .uid(UID_JOIN_CHECKOUTS);
            rejected.add(checkouts.getSideOutput(DEAD_LETTERS));
            rejected.add(joined.getSideOutput(DEAD_LETTERS));
            contributions = joined.getSideOutput(BookCheckoutJoinOperator.TASTE_CONTRIBUTIONS);
            bookWrites = joined;
        }

        DataStream<PointWrite> studentWrites = null;
        DataStream<EnrichedStudent> studentRows = union(liveStudentRows, studentsBackfill);
        if (studentRows != null) {
            SingleOutputStreamOperator<PointWrite> profiles = embedStudents(studentRows);
            rejected.add(profiles.getSideOutput(DEAD_LETTERS));
            ledger.add(ledgerEntries(profiles, LedgerEntry.STUDENT));
            studentWrites = profiles;
            if (contributions != null) {
                studentWrites = profiles
                        .keyBy(PointWrite::pointId, Types.STRING)
                        .connect(contributions.keyBy(c -> PointIds.student(c.studentId()).toString(), Types.STRING))
                        .transform("Student taste vectors", TypeInformation.of(PointWrite.class),
                                new StudentTasteOperator(taste))
                        .uid(UID_STUDENT_TASTE);
            }
        }

        // One sink for both collections. Per-point order holds across the union: every write of a point comes from
        // the one keyed subtask its entity belongs to, and both inputs are forwarded (not shuffled) to the sink at
        // equal parallelism, so all writes of a point reach one sink subtask in the order they were produced.
        // forward() makes a parallelism mismatch fail when the job is built instead of silently rebalancing.
        if (bookWrites == null && studentWrites == null) {
            throw new IllegalArgumentException("Nothing to do: no topic.books, no topic.students and no "
                    + "backfill.entities");
        }
        DataStream<PointWrite> writes = bookWrites == null ? studentWrites.forward()
                : studentWrites == null ? bookWrites.forward() : bookWrites.forward().union(studentWrites.forward());
        writes.sinkTo(pointSink).uid(UID_QDRANT_SINK)
                .name(bookWrites == null ? "Qdrant: students" : studentWrites == null ? "Qdrant: books"
                        : "Qdrant: books, students");

        if (options.bool("ledger.enabled")) {
            // keyed by point id (one per entity): an entity's changes reach one sink subtask, in order
            DataStream<LedgerEntry> entries = ledger.size() == 1 ? ledger.get(0) : ledger.get(0).union(ledger.get(1));
            entries.keyBy(LedgerEntry::key, Types.STRING)
                    .sinkTo(ledgerSink(options))
                    .uid(UID_LEDGER_SINK)
                    .name("PostgreSQL: embedding ledger");
        }

        if (!rejected.isEmpty()) {
            DataStream<DeadLetter> deadLetters = rejected.get(0);
            for (DataStream<DeadLetter> r : rejected.subList(1, rejected.size())) {
                deadLetters = deadLetters.union(r);
            }
            deadLetters
                    .sinkTo(deadLetterSink)
                    .uid(UID_DEAD_LETTER_SINK)
                    .name("Kafka: dead letters");
        }
    }

    private static <T> DataStream<T> union(DataStream<T> live, DataStream<T> backfill) {
        return live == null ? backfill : backfill == null ? live : live.union(backfill);
    }

    /** The live books path up to the catalog lookup: parse, flatten, keyBy book, look up; null without a topic. */
    private DataStream<EnrichedBook> liveBooks(StreamExecutionEnvironment env, List<DataStream<DeadLetter>> rejected) {
        if (booksSource == null) {
            return null;
        }
        SingleOutputStreamOperator<BookChange> changes = env
                .fromSource(booksSource, WatermarkStrategy.noWatermarks(), "Kafka: books")
                .uid(UID_BOOKS_SOURCE)
                .process(ParseEventsFunction.bookChanges(DEAD_LETTERS, options.positiveInt("record.max-bytes")))
                .uid(UID_PARSE_BOOKS)
                .name("Parse books events");
        rejected.add(changes.getSideOutput(DEAD_LETTERS));
        // keyBy first: the ordered, batched lookup keeps per-book order within each key's subtask (a later change
        // never carries an older row); missing rows are retried, then become EnrichedBook.missing (dead letters).
        return BookCatalogEnrichment.create(options)
                .orderedWait(changes.keyBy(BookChange::bookId))
                .uid(UID_CATALOG_LOOKUP)
                .name("Catalog lookup: books");
    }

    /** Every row of the books table, read in parallel splits (flink-connector-jdbc's JdbcSource), once. */
    private DataStream<EnrichedBook> backfillBooks(StreamExecutionEnvironment env) {
        return env.fromSource(backfillSource(BookCatalogEnrichment.table(options)), WatermarkStrategy.noWatermarks(),
                        "Catalog backfill: books")
                .uid(UID_BACKFILL_BOOKS)
                .map(row -> BookCatalogEnrichment.fromRow(BookChange.backfill(row.id()), row))
                .returns(TypeInformation.of(EnrichedBook.class))
                .uid(UID_BACKFILL_BOOKS + "-rows")
                .name("Backfill rows: books");
    }

    /** Newest row wins, then embed the book text into the {@code books} collection. */
    private SingleOutputStreamOperator<PointWrite> embedBooks(DataStream<EnrichedBook> rows) {
        BookEmbeddingAdapter adapter = new BookEmbeddingAdapter(collection(options, "books"), DEAD_LETTERS);
        SingleOutputStreamOperator<EnrichedBook> newest = rows
                .keyBy(adapter.keySelector(), Types.STRING)
                .process(new NewestRowFilter<>(NewestRowFilter.BOOKS, EnrichedBook.class))
                .uid(UID_NEWEST_BOOKS)
                .name("Newest catalog row: books");
        // the filter keeps each record on the subtask its book was keyed to: reinterpreted, not shuffled again
        return DataStreamUtils
                .reinterpretAsKeyedStream(newest, adapter.keySelector(), Types.STRING)
                .transform("Embed books (all-MiniLM-L6-v2)", TypeInformation.of(PointWrite.class),
                        EmbeddingOperator.<EnrichedBook, PointWrite>builder()
                                .setAdapter(adapter)
                                .setEmbedderOptions(embedderOptions(options))
                                .setBatchOptions(batchOptions(options))
                                .build())
                .uid(UID_EMBED_BOOKS);
    }

    /** The live students path up to the catalog lookup; null without a topic. */
    private DataStream<EnrichedStudent> liveStudents(StreamExecutionEnvironment env,
            List<DataStream<DeadLetter>> rejected) {
        if (studentsSource == null) {
            return null;
        }
        SingleOutputStreamOperator<StudentChange> changes = env
                .fromSource(studentsSource, WatermarkStrategy.noWatermarks(), "Kafka: students")
                .uid(UID_STUDENTS_SOURCE)
                .process(ParseEventsFunction.studentChanges(DEAD_LETTERS, options.positiveInt("record.max-bytes")))
                .uid(UID_PARSE_STUDENTS)
                .name("Parse students events");
        rejected.add(changes.getSideOutput(DEAD_LETTERS));
        // as for books: keyed first so the ordered lookup keeps per-student order
        return StudentCatalogEnrichment.create(options)
                .orderedWait(changes.keyBy(StudentChange::studentId))
                .uid(UID_CATALOG_LOOKUP_STUDENTS)
                .name("Catalog lookup: students");
    }

    /** Every row of the students table, once. */
    private DataStream<EnrichedStudent> backfillStudents(StreamExecutionEnvironment env) {
        return env.fromSource(backfillSource(StudentCatalogEnrichment.table(options)),
                        WatermarkStrategy.noWatermarks(), "Catalog backfill: students")
                .uid(UID_BACKFILL_STUDENTS)
                .map(row -> StudentCatalogEnrichment.fromRow(StudentChange.backfill(row.id()), row))
                .returns(TypeInformation.of(EnrichedStudent.class))
                .uid(UID_BACKFILL_STUDENTS + "-rows")
                .name("Backfill rows: students");
    }

    /**
     * Newest row wins, then embed the profile text into the {@code students} collection: the profile points, which
     * the taste operator turns into taste points when checkouts are read.
     */
    private SingleOutputStreamOperator<PointWrite> embedStudents(DataStream<EnrichedStudent> rows) {
        StudentEmbeddingAdapter adapter = new StudentEmbeddingAdapter(collection(options, "students"),
                DEAD_LETTERS);
        SingleOutputStreamOperator<EnrichedStudent> newest = rows
                .keyBy(adapter.keySelector(), Types.STRING)
                .process(new NewestRowFilter<>(NewestRowFilter.STUDENTS, EnrichedStudent.class))
                .uid(UID_NEWEST_STUDENTS)
                .name("Newest catalog row: students");
        return DataStreamUtils
                .reinterpretAsKeyedStream(newest, adapter.keySelector(), Types.STRING)
                .transform("Embed students (all-MiniLM-L6-v2)", TypeInformation.of(PointWrite.class),
                        EmbeddingOperator.<EnrichedStudent, PointWrite>builder()
                                .setAdapter(adapter)
                                .setEmbedderOptions(embedderOptions(options))
                                .setBatchOptions(batchOptions(options))
                                .build())
                .uid(UID_EMBED_STUDENTS);
    }

    /** The embedding operator's writes as ledger changes (only built when the ledger is enabled). */
    private DataStream<LedgerEntry> ledgerEntries(SingleOutputStreamOperator<PointWrite> embedded, String entityType) {
        if (!options.bool("ledger.enabled")) {
            return null;
        }
        return embedded
                .map(new LedgerEntries(entityType, ledgerJdbcUrl(options), ledgerUser(options),
                        ledgerPassword(options), options.get("ledger.table")))
                .returns(TypeInformation.of(LedgerEntry.class))
                .uid("ledger-" + entityType + "s")
                .name("Ledger rows: " + entityType + "s");
    }

    /**
     * The collection the job writes for {@code books} or {@code students}: the name of {@code qdrant.collection.*},
     * or with {@code qdrant.versioned} that name plus {@code __} and the model tag (e.g.
     * {@code books__all-minilm-l6-v2-q}), the name itself being the readers' alias.
     */
    public static String collection(JobOptions options, String entities) {
        String name = options.get("qdrant.collection." + entities);
        return options.bool("qdrant.versioned") ? name + "__" + modelTag(options) : name;
    }

    /** The model id as a collection-name suffix: lower case, anything but letters, digits, - and _ as _. */
    static String modelTag(JobOptions options) {
        return embedderOptions(options).modelId().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
    }

    /** A backfill's end markers, one per subtask, chained to it ({@link BackfillEndMarker}). */
    private static <T> DataStream<BackfillEnd> backfillEnds(DataStream<T> backfill, String entities, String uid) {
        return backfill.transform("Backfill end: " + entities, TypeInformation.of(BackfillEnd.class),
                        new BackfillEndMarker<T>(entities))
                .uid(uid + "-end");
    }

    /**
     * With {@code qdrant.versioned}, the alias switcher: fed by the backfills' ends and kept running by the live
     * streams, it points the readers' aliases at this job's collections once they have caught up
     * ({@link AliasSwitcher}).
     */
    private void aliasSwitcher(List<DataStream<BackfillEnd>> inputs, Set<String> backfills) {
        Map<String, String> aliases = new LinkedHashMap<>();
        aliases.put(options.get("qdrant.collection.books"), collection(options, "books"));
        aliases.put(options.get("qdrant.collection.students"), collection(options, "students"));
        DataStream<BackfillEnd> input = inputs.get(0);
        for (DataStream<BackfillEnd> more : inputs.subList(1, inputs.size())) {
            input = input.union(more);
        }
        QdrantEndpoint endpoint = QdrantEndpoint.parse(options.get("qdrant.url"));
        String key = options.get("qdrant.api-key");
        input.transform("Switch Qdrant aliases", Types.VOID,
                        new AliasSwitcher(key.isEmpty() ? endpoint : endpoint.withApiKey(key), aliases, backfills))
                .setParallelism(1)
                .uid(UID_ALIAS_SWITCHER);
    }

    /** The exactly-once (XA) ledger sink of {@code ledger.*}. */
    public static Sink<LedgerEntry> ledgerSink(JobOptions options) {
        return LedgerSink.builder()
                .setJdbcUrl(ledgerJdbcUrl(options))
                .setUsername(ledgerUser(options))
                .setPassword(ledgerPassword(options))
                .setTable(options.get("ledger.table"))
                .build();
    }

    /** {@code ledger.jdbc-url}, or the catalog's database when empty. */
    public static String ledgerJdbcUrl(JobOptions options) {
        String url = options.get("ledger.jdbc-url");
        return url.isBlank() ? options.get("catalog.jdbc-url") : url;
    }

    static String ledgerUser(JobOptions options) {
        String user = options.get("ledger.user");
        return user.isBlank() ? options.get("catalog.user") : user;
    }

    static String ledgerPassword(JobOptions options) {
        String password = options.get("ledger.password");
        return password.isBlank() ? options.get("catalog.password") : password;
    }

    private JdbcSource<CatalogRow> backfillSource(CatalogTable table) {
        return CatalogBackfillSource.builder()
                .setJdbcUrl(options.get("catalog.jdbc-url"))
                .setUsername(options.get("catalog.user"))
                .setPassword(options.get("catalog.password"))
                .setTable(table)
                .setSplits(options.positiveInt("backfill.splits"))
                .build();
    }

    private static EmbeddingBatchOptions batchOptions(JobOptions options) {
        return EmbeddingBatchOptions.builder()
                .setMaxRecords(options.positiveInt("embedding.batch.max-records"))
                .setMaxTokens(options.positiveInt("embedding.batch.max-tokens"))
                .setLinger(options.duration("embedding.batch.linger"))
                .build();
    }

    /** The embedder settings of the job: device, fp32 or int8 model, inference threads (0: the embedder's default). */
    public static EmbedderOptions embedderOptions(JobOptions options) {
        EmbedderOptions.Builder b = EmbedderOptions.builder()
                .setDevice(options.get("embedding.device"))
                .setQuantized(options.bool("embedding.quantized"));
        int threads = options.nonNegativeInt("embedding.threads");
        if (threads > 0) {
            b.setIntraOpThreads(threads);
        }
        return b.build();
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
        // an empty topic option leaves that topic unread; a named topic must exist, as for any Kafka source
        new ShelfstreamJob(options, options.get("topic.books").isBlank() ? null : booksSource(options),
                options.get("topic.students").isBlank() ? null : studentsSource(options),
                options.get("topic.checkouts").isBlank() ? null : checkoutsSource(options),
                qdrantSink(options), deadLetterSink(options)).build(env);
        env.execute("shelfstream");
    }

    /** The Kafka source of the {@code books} topic, offsets in checkpoints, earliest when none committed. */
    public static KafkaSource<RawRecord> booksSource(JobOptions options) {
        return booksSourceBuilder(options).build();
    }

    /** The builder behind {@link #booksSource}, for tests that bound the source. */
    public static KafkaSourceBuilder<RawRecord> booksSourceBuilder(JobOptions options) {
        return topicSourceBuilder(options, options.get("topic.books"));
    }

    /** The Kafka source of the {@code students} topic, offsets in checkpoints, earliest when none committed. */
    public static KafkaSource<RawRecord> studentsSource(JobOptions options) {
        return topicSourceBuilder(options, options.get("topic.students")).build();
    }

    /** The Kafka source of the {@code checkouts} topic, offsets in checkpoints, earliest when none committed. */
    public static KafkaSource<RawRecord> checkoutsSource(JobOptions options) {
        return topicSourceBuilder(options, options.get("topic.checkouts")).build();
    }

    /** A Kafka source builder for one topic like {@link #booksSourceBuilder}, for tests that bound the source. */
    public static KafkaSourceBuilder<RawRecord> topicSourceBuilder(JobOptions options, String topic) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(options.get("kafka.bootstrap-servers"))
                .setTopics(topic)
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
                .addCollection(collection(options, "books"), BOOK_FILTER_FIELDS)
                .addCollection(collection(options, "students"), STUDENT_INDEXES)
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
