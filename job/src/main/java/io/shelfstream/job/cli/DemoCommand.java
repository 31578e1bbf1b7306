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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.shelfstream.connectors.local.LocalKafka;
import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.local.qdrant.LocalQdrantServer;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.schemas.CatalogSql;

/**
 * {@code ./shelfstream demo}: everything on this machine, nothing to install.
 *
 * <p>Starts a local Kafka broker, PostgreSQL and the Qdrant-compatible server, loads the sample catalog, runs
 * the job in a MiniCluster with the Flink web dashboard, produces sample events (including a malformed record
 * and an event for a book the catalog does not have), and prints what reached Qdrant and the dead-letter topic.
 */
public final class DemoCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofMinutes(3);

    private DemoCommand() {
    }

    /** Runs the demo; returns the process exit code. */
    public static int run(String[] args, PrintStream out) throws Exception {
        boolean once = false;
        int dashboardPort = 8081;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--once" -> once = true;
                case "--dashboard-port" -> dashboardPort = Integer.parseInt(args[++i]);
                default -> {
                    out.println("Unknown demo option " + args[i] + " (known: --once, --dashboard-port N)");
                    return 2;
                }
            }
        }
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
            postgres.execute("catalog", CatalogSql.sampleData());
            JobOptions options = JobOptions.defaults()
                    .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                    .with("catalog.jdbc-url", jdbcUrl)
                    .with("qdrant.url", "http://localhost:" + qdrant.port())
                    .with("checkpoint.interval", "2s");
            kafka.createTopic(options.get("topic.books"), 2);
            kafka.createTopic(options.get("topic.dead-letter"), 1);

            int port = freePortFrom(dashboardPort);
            Configuration conf = new Configuration();
            conf.set(RestOptions.PORT, port);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
            ShelfstreamJob.configure(env, options);
            new ShelfstreamJob(options, ShelfstreamJob.booksSource(options), ShelfstreamJob.qdrantSink(options),
                    ShelfstreamJob.deadLetterSink(options)).build(env);
            job = env.executeAsync("shelfstream (demo)");
            out.println("Flink dashboard: http://localhost:" + port + "  (" + dashboardStatus(port) + ", job "
                    + job.getJobID() + ")");

            produceSampleEvents(kafka, options.get("topic.books"));
            out.println("Produced sample events to topic '" + options.get("topic.books")
                    + "': 6 books added, 1 updated, 1 removed, 1 unknown book, 1 malformed record.");

            String collection = options.get("qdrant.collection.books");
            try (QdrantClient client = QdrantEndpoint.of("localhost", qdrant.port()).newClient()) {
                waitForPoints(client, collection, 5);
                printPoints(out, client, collection);
                printSearch(out, client, collection, "an adventure with dragons in the frozen north");
            }
            printDeadLetters(out, kafka, options.get("topic.dead-letter"));

            if (once) {
                return 0;
            }
            JobClient running = job;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running.cancel().join();
                stopped.countDown();
            }, "demo-shutdown"));
            out.println();
            out.println("The job keeps running: write JSON events to topic 'books' at " + kafka.bootstrapServers()
                    + " and watch http://localhost:" + port + ". Ctrl-C stops everything.");
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

    private static void produceSampleEvents(LocalKafka kafka, String topic) throws Exception {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        records.add(new ProducerRecord<>(topic, "batch-1", event("demo-1", "book_added",
                "\"book_ids\":[\"b-0001\",\"b-0002\",\"b-0003\",\"b-0004\",\"b-0005\",\"b-0006\"]")));
        records.add(new ProducerRecord<>(topic, "b-0002", event("demo-2", "book_updated", "\"book_id\":\"b-0002\"")));
        records.add(new ProducerRecord<>(topic, "b-0006", event("demo-3", "book_removed", "\"book_id\":\"b-0006\"")));
        records.add(new ProducerRecord<>(topic, "b-9999", event("demo-4", "book_added", "\"book_id\":\"b-9999\"")));
        records.add(new ProducerRecord<>(topic, "oops", "{\"event_type\": book_added}"));
        try (KafkaProducer<String, String> producer = kafka.producer()) {
            for (ProducerRecord<String, String> r : records) {
                producer.send(r).get();
            }
        }
    }

    private static String event(String id, String type, String ids) {
        return "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\",\"occurred_at\":\""
                + java.time.Instant.now() + "\"," + ids + "}";
    }

    private static void waitForPoints(QdrantClient client, String collection, long expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (client.collectionExistsAsync(collection).get() && client.countAsync(collection).get() == expected) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Qdrant collection '" + collection + "' did not reach " + expected
                + " points within " + WAIT.toSeconds() + " s; see the Flink dashboard for the job's state");
    }

    private static void printPoints(PrintStream out, QdrantClient client, String collection) throws Exception {
        List<RetrievedPoint> points = new ArrayList<>(client.scrollAsync(ScrollPoints.newBuilder()
                .setCollectionName(collection)
                .setLimit(100)
                .setWithPayload(WithPayloadSelectorFactory.enable(true))
                .build()).get().getResultList());
        points.sort(Comparator.comparing(p -> p.getPayloadMap().get("book_id").getStringValue()));
        out.println();
        out.println("Qdrant collection '" + collection + "' now holds " + points.size() + " points:");
        for (RetrievedPoint p : points) {
            Map<String, io.qdrant.client.grpc.JsonWithInt.Value> pl = p.getPayloadMap();
            out.printf("  %-7s %-36s %-28s %s%n", pl.get("book_id").getStringValue(),
                    pl.get("title").getStringValue(), Payloads.toJava(pl.get("genres")),
                    pl.get("model_id").getStringValue());
        }
    }

    private static void printSearch(PrintStream out, QdrantClient client, String collection, String query)
            throws Exception {
        List<Float> vector = new ArrayList<>();
        try (Embedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build())) {
            for (float f : embedder.embed(List.of(query))[0]) {
                vector.add(f);
            }
        }
        List<ScoredPoint> hits = client.searchAsync(SearchPoints.newBuilder()
                .setCollectionName(collection)
                .setVectorName("text")
                .addAllVector(vector)
                .setLimit(3)
                .setWithPayload(WithPayloadSelectorFactory.enable(true))
                .build()).get();
        out.println();
        out.println("Search \"" + query + "\":");
        for (ScoredPoint h : hits) {
            out.printf("  %.3f  %s%n", h.getScore(), h.getPayloadMap().get("title").getStringValue());
        }
    }

    private static void printDeadLetters(PrintStream out, LocalKafka kafka, String topic) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(topic, 2, Duration.ofSeconds(60));
        out.println();
        out.println("Dead-letter topic '" + topic + "' holds " + dead.size() + " records:");
        for (ConsumerRecord<byte[], byte[]> r : dead) {
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
