package io.shelfstream.job.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.connectors.qdrant.internal.SinkMetrics;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.schemas.CatalogLoader;
import io.shelfstream.schemas.CatalogSql;
import io.shelfstream.schemas.EventTopic;
import io.shelfstream.schemas.PointIds;
import io.shelfstream.schemas.generator.GeneratedRecord;
import io.shelfstream.schemas.generator.GeneratorOptions;
import io.shelfstream.schemas.generator.LibraryGenerator;

/**
 * {@code ./shelfstream demo}: the whole pipeline on this machine, nothing to install.
 *
 * <p>Starts a local Kafka broker, PostgreSQL and the Qdrant-compatible server, generates a school library
 * ({@link LibraryGenerator}: catalog rows plus events on all three topics, a few of them malformed), loads the
 * catalog, runs the job in a MiniCluster with the Flink web dashboard, streams the events, prints live progress
 * (events in, points written, dead letters) until the job has caught up, and ends with search and recommendation
 * examples read back from Qdrant.
 */
public final class DemoCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final String JOB_NAME = "shelfstream-demo";

    private DemoCommand() {
    }

    /** Runs the demo; returns the process exit code. */
    public static int run(String[] args, PrintStream out) throws Exception {
        boolean once = false;
        int dashboardPort = 8081;
        GeneratorOptions.Builder library = GeneratorOptions.builder()
                .setBooks(300).setStudents(60).setCheckouts(4_000).setMalformedFraction(0.002);
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--once" -> once = true;
                    case "--dashboard-port" -> dashboardPort = Integer.parseInt(args[++i]);
                    case "--books" -> library.setBooks(Integer.parseInt(args[++i]));
                    case "--students" -> library.setStudents(Integer.parseInt(args[++i]));
                    case "--checkouts" -> library.setCheckouts(Integer.parseInt(args[++i]));
                    case "--seed" -> library.setSeed(Long.parseLong(args[++i]));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            out.println("demo: " + (e instanceof ArrayIndexOutOfBoundsException ? "an option needs a value"
                    : e.getMessage()) + " (known: --once, --dashboard-port N, --books N, --students N, "
                    + "--checkouts N, --seed N)");
            return 2;
        }
        LibraryGenerator generator = LibraryGenerator.create(library.build());

        out.println("shelfstream demo: starting local services ...");
        LocalKafka kafka = LocalKafka.start();
        LocalPostgres postgres = LocalPostgres.start();
        LocalQdrantServer qdrant = LocalQdrantServer.start();
        JobClient job = null;
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            out.println("  Kafka      " + kafka.bootstrapServers());
            out.println("  PostgreSQL " + postgres.jdbcUrl("catalog"));
            out.println("  Qdrant     http://localhost:" + qdrant.port() + " (gRPC, Qdrant-compatible, in memory)");

            String jdbcUrl = postgres.createDatabase("catalog");
            postgres.execute("catalog", CatalogSql.ddl());
            CatalogLoader.Loaded loaded = CatalogLoader.create().load(jdbcUrl, LocalPostgres.USER,
                    LocalPostgres.PASSWORD, generator.books(), generator.students());
            out.println("Catalog loaded: " + loaded.books() + " books, " + loaded.students() + " students ("
                    + generator.options() + ")");
            JobOptions options = JobOptions.defaults()
                    .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                    .with("catalog.jdbc-url", jdbcUrl)
                    .with("qdrant.url", "http://localhost:" + qdrant.port())
                    .with("checkpoint.interval", "2s")
                    .with("ledger.enabled", "true");
            for (EventTopic t : EventTopic.values()) {
                kafka.createTopic(options.get("topic." + t.defaultName()), 2);
            }
            kafka.createTopic(options.get("topic.dead-letter"), 1);

            int port = freePortFrom(dashboardPort);
            Configuration conf = LocalMetricReporter.configure(new Configuration());
            conf.set(RestOptions.PORT, port);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
            ShelfstreamJob.configure(env, options);
            new ShelfstreamJob(options, ShelfstreamJob.booksSource(options), ShelfstreamJob.studentsSource(options),
                    ShelfstreamJob.checkoutsSource(options), ShelfstreamJob.qdrantSink(options),
                    ShelfstreamJob.deadLetterSink(options)).build(env);
            job = env.executeAsync(JOB_NAME);
            out.println("Flink dashboard: http://localhost:" + port + "  (" + dashboardStatus(port) + ", job "
                    + job.getJobID() + ")");

            long sent = produce(kafka, generator, options);
            out.println("Streaming " + sent + " events (books, students, checkouts) ...");
            watchProgress(out, sent);

            String url = "http://localhost:" + qdrant.port();
            try (QdrantClient client = QdrantEndpoint.of("localhost", qdrant.port()).newClient()) {
                out.println();
                out.println("Qdrant: " + client.countAsync(options.get("qdrant.collection.books")).get()
                        + " book points, " + client.countAsync(options.get("qdrant.collection.students")).get()
                        + " student points.");
                for (String query : List.of("a funny story about friendship at school",
                        "a mystery with a detective")) {
                    out.println();
                    SearchCommand.run(new String[] {query, "--qdrant-url", url, "--limit", "3"}, out, out);
                }
                String reader = mostActiveStudent(client, options.get("qdrant.collection.students"));
                if (reader != null) {
                    out.println();
                    describeReader(out, client, options, reader);
                    RecommendCommand.run(new String[] {"--student", reader, "--qdrant-url", url, "--limit", "5"},
                            out, out);
                }
            }
            printDeadLetters(out, kafka, options.get("topic.dead-letter"));
            out.println();
            out.println("./shelfstream status (catalog vs embedding ledger vs Qdrant):");
            StatusCommand.run(new String[] {"--catalog.jdbc-url", jdbcUrl, "--qdrant.url", url}, out, out);

            if (once) {
                return 0;
            }
            JobClient running = job;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.cancel().join();
                stopped.countDown();
            }, "demo-shutdown"));
            out.println();
            out.println("The job keeps running: write JSON events to topics 'books', 'students' and 'checkouts' at "
                    + kafka.bootstrapServers() + ", query with ./shelfstream search / recommend --qdrant-url " + url
                    + ", and watch http://localhost:" + port + ". Ctrl-C stops everything.");
            stopped.await();
            return 0;
        } finally {
            if (job != null && once) {
                job.cancel().get();
            }
            qdrant.close();
            postgres.close();
            kafka.close();
        }
    }

    /** Sends the generated records of every topic; returns how many. */
    private static long produce(LocalKafka kafka, LibraryGenerator generator, JobOptions options) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * options.positiveInt("record.max-bytes")));
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (EventTopic t : EventTopic.values()) {
                String topic = options.get("topic." + t.defaultName());
                for (GeneratedRecord r : generator.records(t)) {
                    producer.send(new ProducerRecord<>(topic, r.keyBytes(), r.value()));
                    sent++;
                }
            }
            producer.flush();
        }
        return sent;
    }

    /**
     * Prints a progress line every two seconds until every event has been read, and the texts embedded and points
     * written to Qdrant have stopped changing for two polls (two checkpoints) after the first points appeared.
     */
    private static void watchProgress(PrintStream out, long sent) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long lastWritten = -1;
        long lastEmbedded = -1;
        int quiet = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(2_000);
            long in = LocalMetricReporter.sum(JOB_NAME, "eventsParsed")
                    + LocalMetricReporter.sum(JOB_NAME, "recordsRejected");
            long written = LocalMetricReporter.sum(JOB_NAME, SinkMetrics.POINTS_UPSERTED)
                    + LocalMetricReporter.sum(JOB_NAME, SinkMetrics.POINTS_DELETED);
            long dead = LocalMetricReporter.sum(JOB_NAME, "recordsRejected")
                    + LocalMetricReporter.sum(JOB_NAME, "catalogRowsMissing")
                    + LocalMetricReporter.sum(JOB_NAME, "checkoutsMissingBook");
            long embedded = LocalMetricReporter.sum(JOB_NAME, "embedding.docs");
            long joined = LocalMetricReporter.sum(JOB_NAME, "checkoutsJoined");
            out.printf(Locale.ROOT, "  events in %,d/%,d | texts embedded %,d | checkouts joined %,d | points "
                    + "written %,d | dead letters %,d%n", in, sent, embedded, joined, written, dead);
            boolean settled = in >= sent && written > 0 && written == lastWritten && embedded == lastEmbedded;
            quiet = settled ? quiet + 1 : 0;
            lastWritten = written;
            lastEmbedded = embedded;
            if (quiet >= 2) {
                return;
            }
        }
        out.println("  (still catching up after " + WAIT.toMinutes() + " min; see the Flink dashboard)");
    }

    /** Prints who the student is and what they read lately, so the recommendations can be judged. */
    private static void describeReader(PrintStream out, QdrantClient client, JobOptions options, String studentId)
            throws Exception {
        RetrievedPoint student = client.retrieveAsync(options.get("qdrant.collection.students"),
                List.of(PointIdFactory.id(PointIds.student(studentId))), true, false, null).get().get(0);
        var payload = student.getPayloadMap();
        List<?> recent = (List<?>) Payloads.toJava(payload.get("recent_book_ids"));
        List<PointId> ids = new ArrayList<>();
        for (Object bookId : recent) {
            ids.add(PointIdFactory.id(PointIds.book((String) bookId)));
        }
        Map<String, Integer> genres = new TreeMap<>();
        for (RetrievedPoint book : client.retrieveAsync(options.get("qdrant.collection.books"), ids, true, false,
                null).get()) {
            for (Object genre : (List<?>) Payloads.toJava(book.getPayloadMap().get("genres"))) {
                genres.merge((String) genre, 1, Integer::sum);
            }
        }
        StringBuilder read = new StringBuilder();
        genres.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(5)
                .forEach(e -> read.append(read.length() == 0 ? "" : ", ").append(e.getKey()).append(" x")
                        .append(e.getValue()));
        Object interests = payload.containsKey("interests") ? Payloads.toJava(payload.get("interests")) : null;
        out.println("Student " + studentId + ": " + (interests == null ? "no interests given"
                : "interests '" + interests + "'") + ", preferred genres "
                + Payloads.toJava(payload.get("preferred_genres")) + ", "
                + Payloads.toJava(payload.get("checkout_count")) + " checkouts; genres of the " + recent.size()
                + " most recent books: " + read);
    }

    /** The student with the most checkouts, or null when there is none. */
    private static String mostActiveStudent(QdrantClient client, String collection) throws Exception {
        String best = null;
        long most = 0;
        for (RetrievedPoint p : client.scrollAsync(ScrollPoints.newBuilder()
                .setCollectionName(collection)
                .setLimit(10_000)
                .setWithPayload(WithPayloadSelectorFactory.enable(true))
                .build()).get().getResultList()) {
            Object count = Payloads.toJava(p.getPayloadMap().get("checkout_count"));
            if (count instanceof Long n && n > most) {
                most = n;
                best = p.getPayloadMap().get("student_id").getStringValue();
            }
        }
        return best;
    }




    private static void printDeadLetters(PrintStream out, LocalKafka kafka, String topic) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(topic, 0, Duration.ofSeconds(5));
        out.println();
        out.println("Dead-letter topic '" + topic + "' holds " + dead.size() + " records"
                + (dead.size() > 8 ? " (first 8 shown)" : "") + ":");
        for (ConsumerRecord<byte[], byte[]> r : dead.subList(0, Math.min(8, dead.size()))) {
            JsonNode n = JSON.readTree(r.value());
            out.printf("  %-20s %s%n", n.get("reason").asText(), n.get("detail").asText());
        }
    }

    /** Asks the dashboard's REST API for its overview, so the printed URL is known to answer. */
    private static String dashboardStatus(int port) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/overview"))
                .timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("flink-version")
                    ? "up" : "answered HTTP " + response.statusCode();
        } catch (IOException e) {
            return "not answering: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not checked";
        }
    }

    private static int freePortFrom(int first) {
        for (int p = first; p < first + 50; p++) {
            try (ServerSocket s = new ServerSocket(p)) {
                return s.getLocalPort();
            } catch (IOException e) {
                // taken, try the next one
            }
        }
        throw new IllegalStateException("No free port for the Flink dashboard in " + first + ".." + (first + 49));
    }
}
