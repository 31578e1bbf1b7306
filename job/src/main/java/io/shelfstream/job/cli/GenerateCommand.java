package io.shelfstream.job.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.schemas.BookEvent;
import io.shelfstream.schemas.CatalogLoader;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EventParser;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * {@code ./shelfstream generate}: a synthetic school library, its catalog written to PostgreSQL and its events to
 * the {@code books}, {@code students} and {@code checkouts} topics of Kafka.
 *
 * <pre>
 * ./shelfstream generate --books N --students M --checkouts K [--seed S] [--malformed-fraction F]
 *     [--kafka BOOTSTRAP] [--jdbc-url URL [--jdbc-user U] [--jdbc-password P]] [--topic-prefix P]
 *     [--partitions N] [--max-record-bytes B] [--keep-running]
 * </pre>
 *
 * <p>Without {@code --kafka} it starts a local Kafka broker, without {@code --jdbc-url} a local PostgreSQL server
 * (database {@code catalog}), prints where they are and what it wrote, and stops them again unless
 * {@code --keep-running} is given. Topics are created when missing. The catalog load is idempotent (upserts), so
 * running it again with the same seed leaves the same tables; the events are appended again.
 */
public final class GenerateCommand {

    private static final Set<String> FLAGS = Set.of("--keep-running");
    private static final Set<String> OPTIONS = Set.of("--books", "--students", "--checkouts", "--seed",
            "--malformed-fraction", "--kafka", "--jdbc-url", "--jdbc-user", "--jdbc-password", "--topic-prefix",
            "--partitions", "--max-record-bytes");

    private GenerateCommand() {
    }

    /** Runs the command; returns the process exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (FLAGS.contains(a)) {
                o.put(a, "true");
            } else if (OPTIONS.contains(a) && i + 1 < args.length) {
                o.put(a, args[++i]);
            } else {
                err.println(OPTIONS.contains(a) ? "Option " + a + " needs a value." : "Unknown option '" + a + "'.");
                err.println(usage());
                return 2;
            }
        }
        GeneratorOptions generatorOptions;
        int partitions;
        try {
            for (String required : List.of("--books", "--students", "--checkouts")) {
                if (!o.containsKey(required)) {
                    throw new IllegalArgumentException(required + " is required");
                }
            }
            if (!o.containsKey("--jdbc-url") && (o.containsKey("--jdbc-user") || o.containsKey("--jdbc-password"))) {
                throw new IllegalArgumentException("--jdbc-user and --jdbc-password need --jdbc-url");
            }
            generatorOptions = GeneratorOptions.builder()
                    .setBooks(intOption(o, "--books", 0))
                    .setStudents(intOption(o, "--students", 0))
                    .setCheckouts(intOption(o, "--checkouts", 0))
                    .setSeed(number(o, "--seed", String.valueOf(GeneratorOptions.DEFAULT_SEED)).longValue())
                    .setMalformedFraction(number(o, "--malformed-fraction", "0").doubleValue())
                    .setMaxRecordBytes(intOption(o, "--max-record-bytes", EventParser.DEFAULT_MAX_RECORD_BYTES))
                    .build();
            partitions = intOption(o, "--partitions", 2);
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1");
            }
        } catch (IllegalArgumentException e) {
            err.println("generate: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        return generate(generatorOptions, o, partitions, out, err);
    }

    private static int generate(GeneratorOptions options, Map<String, String> o, int partitions, PrintStream out,
            PrintStream err) throws Exception {
        long started = System.nanoTime();
        LocalKafka localKafka = null;
        LocalPostgres localPostgres = null;
        boolean keepRunning = o.containsKey("--keep-running");
        try {
            String bootstrap = o.get("--kafka");
            String jdbcUrl = o.get("--jdbc-url");
            String user = o.getOrDefault("--jdbc-user", LocalPostgres.USER);
            String password = o.getOrDefault("--jdbc-password", LocalPostgres.PASSWORD);
            if (bootstrap == null) {
                out.println("Starting a local Kafka broker (no --kafka given) ...");
                localKafka = LocalKafka.start();
                bootstrap = localKafka.bootstrapServers();
            }
            if (jdbcUrl == null) {
                out.println("Starting a local PostgreSQL server (no --jdbc-url given) ...");
                localPostgres = LocalPostgres.start();
                jdbcUrl = localPostgres.createDatabase("catalog");
            }
            out.printf(Locale.ROOT,
                    "Generating %,d books, %,d students, %,d checkout events (seed %d, %.2f%% malformed)%n",
                    options.books(), options.students(), options.checkouts(), options.seed(),
                    100 * options.malformedFraction());
            LibraryGenerator generator = LibraryGenerator.create(options);

            long t0 = System.nanoTime();
            CatalogLoader.Loaded loaded = CatalogLoader.withBatchSize(1000)
                    .load(jdbcUrl, user, password, generator.books(), generator.students());
            out.printf(Locale.ROOT, "Catalog  %s: %,d books, %,d students upserted in %.1f s%n", jdbcUrl,
                    loaded.books(), loaded.students(), seconds(t0));

            String prefix = o.getOrDefault("--topic-prefix", "");
            Map<EventTopic, String> topics = new EnumMap<>(EventTopic.class);
            for (EventTopic t : EventTopic.values()) {
                topics.put(t, prefix + t.defaultName());
            }
            createTopics(bootstrap, topics.values(), partitions);
            long t1 = System.nanoTime();
            Map<DeadLetterReason, Long> malformed = new EnumMap<>(DeadLetterReason.class);
            List<String> lines = new ArrayList<>();
            AtomicReference<Exception> failure = new AtomicReference<>();
            try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, options.maxRecordBytes())) {
                for (EventTopic t : EventTopic.values()) {
                    lines.add(send(producer, generator, t, topics.get(t), malformed, failure));
                    if (failure.get() != null) {
                        break;
                    }
                }
                producer.flush();
            }
            if (failure.get() != null) {
                err.println("generate: writing to Kafka failed: " + failure.get());
                if (failure.get() instanceof RecordTooLargeException) {
                    err.println("  (a too_large record is --max-record-bytes plus up to 512 bytes: keep it below the "
                            + "broker's message.max.bytes, or run with --malformed-fraction 0)");
                }
                return 1;
            }
            out.printf(Locale.ROOT, "Kafka    %s: records written in %.1f s%n", bootstrap, seconds(t1));
            lines.forEach(out::println);
            if (!malformed.isEmpty()) {
                StringBuilder sb = new StringBuilder("  malformed by reason:");
                malformed.forEach((r, n) -> sb.append(' ').append(r.wireName()).append(' ').append(n));
                out.println(sb);
            }
            out.printf(Locale.ROOT, "Done in %.1f s.%n", seconds(started));
            if (keepRunning && (localKafka != null || localPostgres != null)) {
                out.println("Local services keep running until Ctrl-C: Kafka " + bootstrap + ", PostgreSQL " + jdbcUrl
                        + " (user " + LocalPostgres.USER + ")");
                LocalKafka kafka = localKafka;
                LocalPostgres postgres = localPostgres;
                localKafka = null;
                localPostgres = null;
                CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    closeAll(kafka, postgres);
                    stopped.countDown();
                }, "generate-shutdown"));
                stopped.await();
            } else if (localKafka != null || localPostgres != null) {
                out.println("The local services stop now; give --kafka and --jdbc-url to write to your own, or "
                        + "--keep-running to keep these.");
            }
            return 0;
        } finally {
            closeAll(localKafka, localPostgres);
        }
    }

    private static void closeAll(LocalKafka kafka, LocalPostgres postgres) {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static String send(KafkaProducer<byte[], byte[]> producer, LibraryGenerator generator, EventTopic t,
            String topic, Map<DeadLetterReason, Long> malformed, AtomicReference<Exception> failure) {
        Map<String, Long> byType = new LinkedHashMap<>();
        for (String type : t.eventTypes()) {
            byType.put(type, 0L);
        }
        long records = 0;
        long bad = 0;
        long booksNamed = 0;
        for (GeneratedRecord r : generator.records(t)) {
            if (failure.get() != null) {
                break;
            }
            producer.send(new ProducerRecord<>(topic, r.keyBytes(), r.value()), (metadata, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            records++;
            if (r.isMalformed()) {
                bad++;
                malformed.merge(r.expectedReason(), 1L, Long::sum);
            } else {
                byType.merge(r.event().eventType().wireName(), 1L, Long::sum);
                if (r.event() instanceof BookEvent b && b.eventType() == BookEvent.BookEventType.BOOK_ADDED) {
                    booksNamed += b.bookIds().size();
                }
            }
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-22s %,9d records:", topic, records));
        String separator = " ";
        for (Map.Entry<String, Long> e : byType.entrySet()) {
            sb.append(separator).append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%,d", e.getValue()));
            if (e.getKey().equals("book_added")) {
                sb.append(String.format(Locale.ROOT, " (%,d books)", booksNamed));
            }
            separator = ", ";
        }
        return sb.append(String.format(Locale.ROOT, "; malformed %,d", bad)).toString();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, int maxRecordBytes) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // one request in flight per broker: retries on a loaded broker cannot overtake one another
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // too_large records must leave the client: the broker's own limit still applies
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                String.valueOf(Math.max(1024 * 1024, maxRecordBytes + 64 * 1024)));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static void createTopics(String bootstrap, Iterable<String> topics, int partitions) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, Optional.of(partitions), Optional.empty()));
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            awaitLeaders(admin, topics);
        }
    }

    /** A topic just created may not have partition leaders yet; writing before they exist only causes retries. */
    private static void awaitLeaders(Admin admin, Iterable<String> topics) throws Exception {
        List<String> names = new ArrayList<>();
        topics.forEach(names::add);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            boolean ready = admin.describeTopics(names).allTopicNames().get().values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topics " + names + " have no partition leaders after 30 s");
            }
            Thread.sleep(100);
        }
    }

    private static java.math.BigDecimal number(Map<String, String> o, String name, String otherwise) {
        String v = o.getOrDefault(name, otherwise);
        try {
            return new java.math.BigDecimal(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + v + "'");
        }
    }

    private static int intOption(Map<String, String> o, String name, int otherwise) {
        String v = o.get(name);
        if (v == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(v.replace("_", "").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    static String usage() {
        return String.join("\n",
                "usage: ./shelfstream generate --books N --students M --checkouts K [--seed S]",
                "           [--malformed-fraction F] [--kafka BOOTSTRAP] [--jdbc-url URL [--jdbc-user U]",
                "           [--jdbc-password P]] [--topic-prefix P] [--partitions N] [--max-record-bytes B]",
                "           [--keep-running]");
    }
}
