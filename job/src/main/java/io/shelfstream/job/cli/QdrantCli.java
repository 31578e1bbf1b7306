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
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.internal.Payloads;

/**
 * What the query commands ({@link SearchCommand}, {@link RecommendCommand}) share: {@code --filter} parsing,
 * {@code --qdrant-url}/{@code --limit} parsing, Qdrant calls with one-line error messages, and the result table.
 */
final class QdrantCli {

    /** Largest {@code --limit}. */
    static final int MAX_LIMIT = 1000;

    /** How long one Qdrant call may take. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\[\\]-]*");
    private static final List<String> BOOK_COLUMNS = List.of("title", "author", "genres", "reading_level");

    private QdrantCli() {
    }

    /** Waits for a Qdrant call; a failure becomes a {@link QdrantFailure} carrying what the client reported. */
    static <T> T call(com.google.common.util.concurrent.ListenableFuture<T> future) {
        try {
            return future.get(CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new QdrantFailure(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new QdrantFailure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QdrantFailure(e);
        }
    }

    /**
     * One line on a failed call: unreachable, timed out, refused, unknown collection or rejected.
     *
     * @param what e.g. {@code "the search of 'books'"}
     */
    static String describe(Throwable cause, String collection, String what, QdrantEndpoint endpoint) {
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
            case NOT_FOUND -> missingCollection(collection, endpoint);
            default -> "Qdrant at " + endpoint + " rejected " + what + ": " + detail;
        };
    }

    /** The one line for a collection that does not exist. */
    static String missingCollection(String collection, QdrantEndpoint endpoint) {
        return "collection '" + collection + "' does not exist at " + endpoint
                + "; is the job running against this Qdrant?";
    }

    /** Parses {@code --qdrant-url} and adds {@code --api-key}; a bad URL is a usage error. */
    static QdrantEndpoint endpoint(String qdrantUrl, String apiKey) {
        QdrantEndpoint e;
        try {
            e = QdrantEndpoint.parse(qdrantUrl);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("bad --qdrant-url '" + qdrantUrl
                    + "' (expected http[s]://host[:port], the gRPC port, e.g. http://localhost:6334)");
        }
        return apiKey == null || apiKey.isEmpty() ? e : e.withApiKey(apiKey);
    }

    /** Parses {@code --limit}: a whole number in 1..{@link #MAX_LIMIT}. */
    static int limit(String text) {
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

    /**
     * The options {@code search} and {@code recommend} share: {@code --help}, {@code --limit}, {@code --filter}
     * (repeatable), {@code --qdrant-url}, {@code --api-key}, {@code --vector-name}. Each command's options extend it
     * and hand it every argument first ({@link #accept}).
     */
    abstract static class SharedOptions {
        boolean help;
        int limit = 10;
        String qdrantUrl = "http://localhost:6334";
        String apiKey;
        String vectorName = "text";
        final List<Condition> filters = new ArrayList<>();
        final List<String> filterTexts = new ArrayList<>();

        /**
         * Takes {@code args[i]} (and its value) when it is a shared option.
         *
         * @return the index of the last argument taken, or -1 when {@code args[i]} is not a shared option
         */
        int accept(String[] args, int i) {
            String option = args[i];
            switch (option) {
                case "--help", "-h" -> help = true;
                case "--limit" -> limit = limit(value(args, ++i, option));
                case "--filter" -> {
                    String f = value(args, ++i, option);
                    filters.add(filter(f));
                    filterTexts.add(f);
                }
                case "--qdrant-url" -> qdrantUrl = value(args, ++i, option);
                case "--api-key" -> apiKey = value(args, ++i, option);
                case "--vector-name" -> vectorName = notBlank(value(args, ++i, option), option);
                default -> {
                    return -1;
                }
            }
            return i;
        }

        QdrantEndpoint endpoint() {
            return QdrantCli.endpoint(qdrantUrl, apiKey);
        }
    }

    /** {@code value}, or a usage error when it is blank. */
    static String notBlank(String value, String option) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(option + " must not be blank");
        }
        return value;
    }

    /** The value after an option, or a usage error. */
    static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    // ---------------------------------------------------------------------------------------------- the table

    /**
     * Prints a heading line ({@code heading + ": N hits"}) and the hits as a table: rank, score, book_id, title,
     * author, genres and reading_level; a missing payload value shows as {@code -}, and hits with none of the book
     * columns (for example from {@code students}) show their payload instead.
     */
    static void printTable(PrintStream out, String heading, List<ScoredPoint> hits) {
        out.println(heading + ": " + hits.size() + (hits.size() == 1 ? " hit" : " hits"));
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

    static String render(Value value) {
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

    // ------------------------------------------------------------------------------------------------- filters

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
    static final class QdrantFailure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        QdrantFailure(Throwable cause) {
            super(cause);
        }
    }
}
