package io.shelfstream.job.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;


import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;

/**
 * {@code ./shelfstream search "text"}: embeds a query with the job's model and prints the nearest points of a
 * Qdrant collection as a table.
 *
 * <pre>
 * ./shelfstream search "dragons in the frozen north" [--collection books] [--limit 10]
 *     [--filter key=value]... [--qdrant-url http://localhost:6334] [--api-key K] [--device auto|cpu|cuda|cuda:N]
 *     [--vector-name text] [--show-score-threshold X]
 * </pre>
 *
 * <p>The query is embedded with all-MiniLM-L6-v2 exactly as the job embeds books, and searched against the named
 * vector ({@code text} unless {@code --vector-name} says otherwise) over gRPC. Every {@code --filter} must hold
 * (Qdrant {@code must}):
 * <ul>
 *   <li>{@code key=value}: the keyword payload field {@code key} is {@code value} (for an array field such as
 *       {@code genres}: contains it);</li>
 *   <li>{@code key=a|b}: it is any of {@code a}, {@code b};</li>
 *   <li>{@code key>=N}, {@code key<=N}, {@code key>N}, {@code key<N}: the numeric payload field is in range.</li>
 * </ul>
 * {@code --show-score-threshold X} leaves out hits scoring below {@code X}. Columns are rank, score, book_id,
 * title, author, genres and reading_level; a missing payload value shows as {@code -}, and hits with none of the
 * book columns (for example from {@code students}) show their payload instead.
 *
 * <p>Exit codes: 0 (also when nothing matched), 1 when Qdrant cannot answer the search (unreachable, unknown
 * collection, rejected request), 2 for bad arguments. Errors are one line on the error stream.
 */
public final class SearchCommand {

    /** Largest {@code --limit}. */
    static final int MAX_LIMIT = QdrantCli.MAX_LIMIT;

    static final String USAGE = "usage: ./shelfstream search \"text\" [--collection books] [--limit 1..1000]"
            + " [--filter key=value|key=a|b|key>=N|key<=N]... [--qdrant-url http://localhost:6334] [--api-key K]"
            + " [--device auto|cpu|cuda|cuda:N] [--vector-name text] [--show-score-threshold X]";


    private SearchCommand() {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code search}
     * @param out  where the table goes
     * @param err  where errors go
     * @return 0 on success, 1 when the search failed, 2 for bad arguments
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("search: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.help) {
            out.println(USAGE);
            return 0;
        }
        QdrantEndpoint endpoint = options.endpoint();
        try (QdrantClient client = endpoint.newClient(QdrantCli.CALL_TIMEOUT)) {
            if (!QdrantCli.call(client.collectionExistsAsync(options.collection))) {
                err.println("search: " + QdrantCli.missingCollection(options.collection, endpoint));
                return 1;
            }
            List<Float> vector = embed(options.query, options.device);
            List<ScoredPoint> hits = QdrantCli.call(client.searchAsync(options.request(vector)));
            QdrantCli.printTable(out, "Search \"" + options.query + "\" in '" + options.collection + "'"
                    + (options.filterTexts.isEmpty() ? "" : " where " + String.join(" and ", options.filterTexts)),
                    hits);
            return 0;
        } catch (QdrantCli.QdrantFailure e) {
            err.println("search: " + QdrantCli.describe(e.getCause(), options.collection,
                    "the search of '" + options.collection + "'", endpoint));
            return 1;
        } catch (RuntimeException e) {
            // model loading or the ONNX runtime; keep it to one line
            err.println("search: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }

    private static List<Float> embed(String query, String device) {
        try (MiniLmEmbedder embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice(device).build())) {
            float[] v = embedder.embed(List.of(query))[0];
            List<Float> vector = new ArrayList<>(v.length);
            for (float f : v) {
                vector.add(f);
            }
            return vector;
        }
    }

    // ---------------------------------------------------------------------------------------------- the table

    /** Parses one {@code --filter}; see {@link QdrantCli#filter}. */
    static Condition filter(String text) {
        return QdrantCli.filter(text);
    }

    // ------------------------------------------------------------------------------------------------- options

    /** The parsed command line. */
    static final class Options extends QdrantCli.SharedOptions {
        String query;
        String collection = "books";
        String device = EmbedderOptions.DEFAULT_DEVICE.toString().toLowerCase(Locale.ROOT);
        Float scoreThreshold;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                int taken = o.accept(args, i);
                if (taken >= 0) {
                    i = taken;
                    continue;
                }
                String a = args[i];
                switch (a) {
                    case "--collection" -> o.collection = QdrantCli.notBlank(QdrantCli.value(args, ++i, a), a);
                    case "--device" -> {
                        o.device = QdrantCli.value(args, ++i, a);
                        EmbedderOptions.builder().setDevice(o.device); // fails here for an unknown device
                    }
                    case "--show-score-threshold" -> o.scoreThreshold = threshold(QdrantCli.value(args, ++i, a));
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        if (o.query != null) {
                            throw new IllegalArgumentException("unexpected argument '" + a
                                    + "' (quote a query that has spaces: search \"" + o.query + " " + a + "\")");
                        }
                        o.query = a;
                    }
                }
            }
            if (o.help) {
                return o;
            }
            if (o.query == null || o.query.isBlank()) {
                throw new IllegalArgumentException("missing query: search \"what to look for\"");
            }
            o.endpoint(); // a bad URL is a usage error
            return o;
        }

        SearchPoints request(List<Float> vector) {
            SearchPoints.Builder b = SearchPoints.newBuilder()
                    .setCollectionName(collection)
                    .setVectorName(vectorName)
                    .addAllVector(vector)
                    .setLimit(limit)
                    .setWithPayload(WithPayloadSelectorFactory.enable(true));
            if (!filters.isEmpty()) {
                b.setFilter(Filter.newBuilder().addAllMust(filters));
            }
            if (scoreThreshold != null) {
                b.setScoreThreshold(scoreThreshold);
            }
            return b.build();
        }

        private static Float threshold(String text) {
            try {
                float f = Float.parseFloat(text.trim());
                if (Float.isFinite(f)) {
                    return f;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("--show-score-threshold must be a number, e.g. 0.3, got '"
                    + text + "'");
        }
    }
}
