package io.shelfstream.job.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.ConditionFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;
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
    static final int MAX_LIMIT = 1000;

    static final String USAGE = "usage: ./shelfstream search \"text\" [--collection books] [--limit 1..1000]"
            + " [--filter key=value|key=a|b|key>=N|key<=N]... [--qdrant-url http://localhost:6334] [--api-key K]"
            + " [--device auto|cpu|cuda|cuda:N] [--vector-name text] [--show-score-threshold X]";

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\[\\]-]*");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> BOOK_COLUMNS = List.of("title", "author", "genres", "reading_level");

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
        try (QdrantClient client = endpoint.newClient(CALL_TIMEOUT)) {
            if (!call(client.collectionExistsAsync(options.collection))) {
                err.println("search: collection '" + options.collection + "' does not exist at " + endpoint
                        + "; is the job running against this Qdrant?");
                return 1;
            }
            List<Float> vector = embed(options.query, options.device);
            List<ScoredPoint> hits = call(client.searchAsync(options.request(vector)));
            printTable(out, options, hits);
            return 0;
        } catch (SearchFailure e) {
            err.println("search: " + describe(e.getCause(), options, endpoint));
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

    private static <T> T call(com.google.common.util.concurrent.ListenableFuture<T> future) {
        try {
            return future.get(CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new SearchFailure(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new SearchFailure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SearchFailure(e);
        }
    }

    private static String describe(Throwable cause, Options options, QdrantEndpoint endpoint) {
        Status status = cause instanceof StatusRuntimeException s ? s.getStatus() : null;
        if (status == null) {
            return cause instanceof TimeoutException ? "Qdrant at " + endpoint + " did not answer within "
                    + CALL_TIMEOUT.toSeconds() + " s" : "Qdrant at " + endpoint + " failed: " + cause;
        }
        String detail = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
        return switch (status.getCode()) {
            case UNAVAILABLE -> "cannot reach Qdrant at " + endpoint + " (" + detail + "); is it running, and is "
                    + "this its gRPC port (6334, not the REST port 6333)?";
            case DEADLINE_EXCEEDED -> "Qdrant at " + endpoint + " did not answer within " + CALL_TIMEOUT.toSeconds()
                    + " s";
            case UNAUTHENTICATED, PERMISSION_DENIED -> "Qdrant at " + endpoint + " refused the request (" + detail
                    + "); check --api-key";
            case NOT_FOUND -> "collection '" + options.collection + "' does not exist at " + endpoint
                    + "; is the job running against this Qdrant?";
            default -> "Qdrant at " + endpoint + " rejected the search of '" + options.collection + "': " + detail;
        };
    }

    // ---------------------------------------------------------------------------------------------- the table

    private static void printTable(PrintStream out, Options options, List<ScoredPoint> hits) {
        out.println("Search \"" + options.query + "\" in '" + options.collection + "'"
                + (options.filterTexts.isEmpty() ? "" : " where " + String.join(" and ", options.filterTexts))
                + ": " + hits.size() + (hits.size() == 1 ? " hit" : " hits"));
        if (hits.isEmpty()) {
            return;
        }
        boolean anyBookId = hits.stream().anyMatch(h -> h.getPayloadMap().containsKey("book_id"));
        boolean bookColumns = hits.stream()
                .anyMatch(h -> BOOK_COLUMNS.stream().anyMatch(h.getPayloadMap()::containsKey));
        List<String> header = new ArrayList<>(List.of("rank", "score", anyBookId ? "book_id" : "id"));
        if (bookColumns) {
            header.addAll(BOOK_COLUMNS);
        } else {
            header.add("payload");
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        int rank = 0;
        for (ScoredPoint hit : hits) {
            Map<String, Value> payload = hit.getPayloadMap();
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(++rank));
            row.add(String.format(Locale.ROOT, "%.3f", hit.getScore()));
            row.add(idOf(hit));
            if (bookColumns) {
                row.add(cell(payload.get("title"), 40));
                row.add(cell(payload.get("author"), 24));
                row.add(cell(payload.get("genres"), 32));
                row.add(cell(payload.get("reading_level"), 16));
            } else {
                row.add(otherPayload(payload));
            }
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String c = row.get(i);
                boolean right = i < 2; // rank and score line up on the right
                String padding = " ".repeat(widths[i] - c.length());
                line.append(right ? padding + c : c + (i == row.size() - 1 ? "" : padding));
                if (i < row.size() - 1) {
                    line.append("  ");
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String idOf(ScoredPoint hit) {
        for (String key : List.of("book_id", "student_id")) {
            Value v = hit.getPayloadMap().get(key);
            if (v != null && v.hasStringValue()) {
                return v.getStringValue();
            }
        }
        PointId id = hit.getId();
        return id.hasUuid() ? id.getUuid() : Long.toString(id.getNum());
    }

    private static String otherPayload(Map<String, Value> payload) {
        List<String> parts = new ArrayList<>();
        payload.keySet().stream().sorted().filter(k -> !k.equals("book_id") && !k.equals("student_id"))
                .forEach(k -> parts.add(k + "=" + render(payload.get(k))));
        return parts.isEmpty() ? "-" : truncate(String.join(" ", parts), 80);
    }

    private static String cell(Value value, int width) {
        return value == null ? "-" : truncate(render(value), width);
    }

    private static String render(Value value) {
        Object v = Payloads.toJava(value);
        if (v == null) {
            return "-";
        }
        if (v instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object o : list) {
                items.add(String.valueOf(o));
            }
            return items.isEmpty() ? "-" : String.join(", ", items);
        }
        return String.valueOf(v).replaceAll("\\s+", " ");
    }

    private static String truncate(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 3) + "...";
    }

    // ------------------------------------------------------------------------------------------------- options

    /** The parsed command line. */
    static final class Options {
        boolean help;
        String query;
        String collection = "books";
        int limit = 10;
        String qdrantUrl = "http://localhost:6334";
        String apiKey;
        String device = EmbedderOptions.DEFAULT_DEVICE.toString().toLowerCase(Locale.ROOT);
        String vectorName = "text";
        Float scoreThreshold;
        final List<Condition> filters = new ArrayList<>();
        final List<String> filterTexts = new ArrayList<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--help", "-h" -> o.help = true;
                    case "--collection" -> {
                        o.collection = value(args, ++i, a);
                        if (o.collection.isBlank()) {
                            throw new IllegalArgumentException("--collection must not be blank");
                        }
                    }
                    case "--limit" -> o.limit = limit(value(args, ++i, a));
                    case "--filter" -> {
                        String f = value(args, ++i, a);
                        o.filters.add(filter(f));
                        o.filterTexts.add(f);
                    }
                    case "--qdrant-url" -> o.qdrantUrl = value(args, ++i, a);
                    case "--api-key" -> o.apiKey = value(args, ++i, a);
                    case "--device" -> {
                        o.device = value(args, ++i, a);
                        EmbedderOptions.builder().setDevice(o.device); // fails here for an unknown device
                    }
                    case "--vector-name" -> {
                        o.vectorName = value(args, ++i, a);
                        if (o.vectorName.isBlank()) {
                            throw new IllegalArgumentException("--vector-name must not be blank");
                        }
                    }
                    case "--show-score-threshold" -> o.scoreThreshold = threshold(value(args, ++i, a));
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

        QdrantEndpoint endpoint() {
            QdrantEndpoint e;
            try {
                e = QdrantEndpoint.parse(qdrantUrl);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("bad --qdrant-url '" + qdrantUrl
                        + "' (expected http[s]://host[:port], the gRPC port, e.g. http://localhost:6334)");
            }
            return apiKey == null || apiKey.isEmpty() ? e : e.withApiKey(apiKey);
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

        private static String value(String[] args, int index, String option) {
            if (index >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[index];
        }

        private static int limit(String text) {
            int n;
            try {
                n = Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--limit must be a whole number in 1.." + MAX_LIMIT
                        + ", got '" + text + "'");
            }
            if (n < 1 || n > MAX_LIMIT) {
                throw new IllegalArgumentException("--limit must be in 1.." + MAX_LIMIT + ", got " + n);
            }
            return n;
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

    /**
     * Parses one {@code --filter}: {@code key=value}, {@code key=a|b}, {@code key>=N}, {@code key<=N},
     * {@code key>N} or {@code key<N}.
     */
    static Condition filter(String text) {
        int op = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '=' || c == '<' || c == '>') {
                op = i;
                break;
            }
        }
        if (op < 0) {
            throw malformed(text, "no operator");
        }
        String key = text.substring(0, op).trim();
        if (key.isEmpty()) {
            throw malformed(text, "no key before '" + text.charAt(op) + "'");
        }
        if (!KEY.matcher(key).matches()) {
            throw malformed(text, "'" + key + "' is not a payload key");
        }
        char c = text.charAt(op);
        if (c == '=') {
            String value = text.substring(op + 1);
            if (value.isEmpty()) {
                throw malformed(text, "no value after '='");
            }
            if (!value.contains("|")) {
                return ConditionFactory.matchKeyword(key, value);
            }
            List<String> any = List.of(value.split("\\|", -1));
            if (any.stream().anyMatch(String::isEmpty)) {
                throw malformed(text, "empty alternative in '" + value + "'");
            }
            return ConditionFactory.matchKeywords(key, any);
        }
        boolean inclusive = op + 1 < text.length() && text.charAt(op + 1) == '=';
        String operator = c + (inclusive ? "=" : "");
        String number = text.substring(op + operator.length()).trim();
        double bound;
        try {
            bound = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw malformed(text, "'" + operator + "' needs a number, got '" + number + "'");
        }
        if (!Double.isFinite(bound)) {
            throw malformed(text, "'" + operator + "' needs a finite number, got '" + number + "'");
        }
        Range.Builder range = Range.newBuilder();
        switch (operator) {
            case ">=" -> range.setGte(bound);
            case "<=" -> range.setLte(bound);
            case ">" -> range.setGt(bound);
            default -> range.setLt(bound);
        }
        return ConditionFactory.range(key, range.build());
    }

    private static IllegalArgumentException malformed(String text, String why) {
        return new IllegalArgumentException("malformed --filter '" + text + "': " + why
                + " (expected key=value, key=a|b, key>=N or key<=N)");
    }

    /** A failed Qdrant call; the cause is what the client reported. */
    private static final class SearchFailure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        SearchFailure(Throwable cause) {
            super(cause);
        }
    }
}
