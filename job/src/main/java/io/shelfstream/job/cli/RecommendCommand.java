package io.shelfstream.job.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qdrant.client.ConditionFactory;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.connectors.qdrant.internal.PointStructs;
import io.shelfstream.schemas.PointIds;

/**
 * {@code ./shelfstream recommend --student ID}: reads the student's point from the {@code students} collection and
 * prints the books nearest to its vector as a table (the same table as {@code search}).
 *
 * <pre>
 * ./shelfstream recommend --student s-000042 [--limit 10] [--filter key=value]...
 *     [--books-collection books] [--students-collection students] [--qdrant-url http://localhost:6334]
 *     [--api-key K] [--vector-name text]
 * </pre>
 *
 * <p>The student's vector is whatever the job wrote: until checkouts are joined, a student's vector is the profile
 * vector (payload {@code taste_source = "profile"}). Books whose ids are in the student's payload
 * {@code recent_book_ids} (none yet; the checkouts path fills it) are left out. {@code --filter} works as in
 * {@code search} and applies to the books.
 *
 * <p>Exit codes: 0 (also when nothing matched), 1 for an unknown student or when Qdrant cannot answer, 2 for bad
 * arguments. Errors are one line on the error stream.
 */
public final class RecommendCommand {

    static final String USAGE = "usage: ./shelfstream recommend --student ID [--limit 1..1000]"
            + " [--filter key=value|key=a|b|key>=N|key<=N]... [--books-collection books]"
            + " [--students-collection students] [--qdrant-url http://localhost:6334] [--api-key K]"
            + " [--vector-name text]";

    private RecommendCommand() {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code recommend}
     * @param out  where the table goes
     * @param err  where errors go
     * @return 0 on success, 1 for an unknown student or a failed Qdrant call, 2 for bad arguments
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("recommend: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.help) {
            out.println(USAGE);
            return 0;
        }
        QdrantEndpoint endpoint = options.endpoint();
        String current = options.studentsCollection;
        try (QdrantClient client = endpoint.newClient(QdrantCli.CALL_TIMEOUT)) {
            for (String collection : List.of(options.studentsCollection, options.booksCollection)) {
                current = collection;
                if (!QdrantCli.call(client.collectionExistsAsync(collection))) {
                    err.println("recommend: " + QdrantCli.missingCollection(collection, endpoint));
                    return 1;
                }
            }
            current = options.studentsCollection;
            List<RetrievedPoint> found = QdrantCli.call(client.retrieveAsync(options.studentsCollection,
                    List.of(PointIdFactory.id(PointIds.student(options.studentId))), true, true, null));
            if (found.isEmpty()) {
                err.println("recommend: no student '" + options.studentId + "' in collection '"
                        + options.studentsCollection + "' at " + endpoint);
                return 1;
            }
            RetrievedPoint student = found.get(0);
            List<Float> vector = PointStructs.denseVector(student, options.vectorName);
            if (vector == null) {
                err.println("recommend: the point of student '" + options.studentId + "' in collection '"
                        + options.studentsCollection + "' has no vector '" + options.vectorName + "'");
                return 1;
            }
            List<String> recent = recentBookIds(student.getPayloadMap());
            current = options.booksCollection;
            List<ScoredPoint> hits = QdrantCli.call(client.searchAsync(options.request(vector, recent)));
            QdrantCli.printTable(out, heading(options, student.getPayloadMap(), recent), hits);
            return 0;
        } catch (QdrantCli.QdrantFailure e) {
            err.println("recommend: " + QdrantCli.describe(e.getCause(), current,
                    "the recommendation from '" + current + "'", endpoint));
            return 1;
        }
    }

    /** The payload's {@code recent_book_ids}, empty when absent. */
    static List<String> recentBookIds(Map<String, Value> payload) {
        Value v = payload.get("recent_book_ids");
        List<String> ids = new ArrayList<>();
        if (v != null && v.hasListValue()) {
            for (Value item : v.getListValue().getValuesList()) {
                if (item.hasStringValue()) {
                    ids.add(item.getStringValue());
                }
            }
        }
        return ids;
    }

    private static String heading(Options options, Map<String, Value> payload, List<String> recent) {
        List<String> profile = new ArrayList<>();
        for (String key : List.of("grade_level", "interests", "preferred_genres")) {
            Value v = payload.get(key);
            String text = v == null ? "-" : QdrantCli.render(v);
            if (!text.equals("-")) {
                profile.add(switch (key) {
                    case "grade_level" -> "grade " + text;
                    case "interests" -> "likes " + text;
                    default -> "genres " + text;
                });
            }
        }
        return "Recommendations for student '" + options.studentId + "'"
                + (profile.isEmpty() ? "" : " (" + String.join("; ", profile) + ")")
                + " from '" + options.booksCollection + "'"
                + (options.filterTexts.isEmpty() ? "" : " where " + String.join(" and ", options.filterTexts))
                + (recent.isEmpty() ? "" : ", excluding " + recent.size() + " recently checked-out book"
                        + (recent.size() == 1 ? "" : "s"));
    }

    /** The parsed command line. */
    static final class Options extends QdrantCli.SharedOptions {
        String studentId;
        String booksCollection = "books";
        String studentsCollection = "students";

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
                    case "--student" -> o.studentId = QdrantCli.value(args, ++i, a);
                    case "--books-collection" -> o.booksCollection = QdrantCli.notBlank(QdrantCli.value(args, ++i, a),
                            a);
                    case "--students-collection" -> o.studentsCollection = QdrantCli.notBlank(
                            QdrantCli.value(args, ++i, a), a);
                    default -> throw new IllegalArgumentException(a.startsWith("--") ? "unknown option " + a
                            : "unexpected argument '" + a + "' (use --student ID)");
                }
            }
            if (o.help) {
                return o;
            }
            if (o.studentId == null || o.studentId.isBlank()) {
                throw new IllegalArgumentException("missing --student ID");
            }
            o.endpoint(); // a bad URL is a usage error
            return o;
        }

        SearchPoints request(List<Float> vector, List<String> excludedBookIds) {
            SearchPoints.Builder b = SearchPoints.newBuilder()
                    .setCollectionName(booksCollection)
                    .setVectorName(vectorName)
                    .addAllVector(vector)
                    .setLimit(limit)
                    .setWithPayload(WithPayloadSelectorFactory.enable(true));
            if (!filters.isEmpty() || !excludedBookIds.isEmpty()) {
                Filter.Builder f = Filter.newBuilder().addAllMust(filters);
                if (!excludedBookIds.isEmpty()) {
                    List<PointId> ids = new ArrayList<>();
                    for (String bookId : excludedBookIds) {
                        ids.add(PointIdFactory.id(PointIds.book(bookId)));
                    }
                    f.addMustNot(ConditionFactory.hasId(ids));
                }
                b.setFilter(f);
            }
            return b.build();
        }
    }
}
