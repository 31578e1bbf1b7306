package io.shelfstream.job.cli;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.shelfstream.connectors.ledger.LedgerEntry;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.ShelfstreamJob;
import io.shelfstream.schemas.PointIds;

/**
 * {@code ./shelfstream status [job options]}: does Qdrant still agree with the catalog and the embedding ledger?
 * Prints, per collection, the catalog rows, ledger rows and Qdrant points, and the drift between them:
 * <ul>
 *   <li><b>missing</b>: ledger rows whose point is not in Qdrant (written by the job, gone since);
 *   <li><b>stale</b>: points whose {@code model_id} or {@code content_hash} differs from their ledger row, or whose
 *       model is not the configured one ({@code embedding.quantized}, i.e. a model migration is due);
 *   <li><b>orphans</b>: points without a ledger row;
 *   <li><b>not embedded</b>: catalog rows without a ledger row (shown, not counted as drift: a catalog may keep
 *       rows of removed entities; a backfill embeds the others).
 * </ul>
 * Exits 0 when there is no drift, 1 when there is (so cron or a readiness probe can run it), 2 on bad options or
 * when a store cannot be read.
 */
public final class StatusCommand {

    private StatusCommand() {
    }

    /** One collection's figures. */
    record CollectionStatus(String entity, String collection, long catalogRows, long ledgerRows, long points,
            List<String> missing, List<String> stale, List<String> orphans, long notEmbedded) {

        long drift() {
            return missing.size() + stale.size() + orphans.size();
        }
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        JobOptions options;
        try {
            if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
                out.println("usage: ./shelfstream status [--catalog.jdbc-url URL] [--ledger.jdbc-url URL] "
                        + "[--qdrant.url URL] [--qdrant.collection.books C] [--qdrant.collection.students C] "
                        + "[--embedding.quantized true|false] [other job options]");
                return 0;
            }
            options = JobOptions.fromArgs(args);
        } catch (IllegalArgumentException e) {
            err.println("status: " + e.getMessage());
            return 2;
        }
        List<CollectionStatus> report;
        try {
            report = check(options);
        } catch (Exception e) {
            err.println("status: cannot read the stores: " + e);
            return 2;
        }
        print(out, report, ShelfstreamJob.embedderOptions(options).modelId());
        return report.stream().anyMatch(r -> r.drift() > 0) ? 1 : 0;
    }

    /** Reads the catalog, the ledger and Qdrant and compares them. */
    static List<CollectionStatus> check(JobOptions options) throws Exception {
        String model = ShelfstreamJob.embedderOptions(options).modelId();
        QdrantEndpoint endpoint = QdrantCli.endpoint(options.get("qdrant.url"), options.get("qdrant.api-key"));
        List<CollectionStatus> out = new ArrayList<>();
        try (QdrantClient client = endpoint.newClient();
                Connection catalog = DriverManager.getConnection(options.get("catalog.jdbc-url"),
                        options.get("catalog.user"), options.get("catalog.password"));
                Connection ledger = DriverManager.getConnection(ShelfstreamJob.ledgerJdbcUrl(options),
                        options.get("ledger.user").isBlank() ? options.get("catalog.user") : options.get("ledger.user"),
                        options.get("ledger.password").isBlank() ? options.get("catalog.password")
                                : options.get("ledger.password"))) {
            out.add(one(LedgerEntry.BOOK, options.get("qdrant.collection.books"),
                    options.get("catalog.books.table"), options.get("catalog.books.id-column"), model, options,
                    client, catalog, ledger));
            out.add(one(LedgerEntry.STUDENT, options.get("qdrant.collection.students"),
                    options.get("catalog.students.table"), options.get("catalog.students.id-column"), model,
                    options, client, catalog, ledger));
        }
        return out;
    }

    private record Embedded(String contentHash, String modelId) {
    }

    private static CollectionStatus one(String entity, String collection, String table, String idColumn,
            String model, JobOptions options, QdrantClient client, Connection catalog, Connection ledger)
            throws Exception {
        Set<String> catalogPoints = new TreeSet<>();
        try (PreparedStatement s = catalog.prepareStatement("SELECT " + quote(idColumn) + " FROM "
                + quoteQualified(table)); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                catalogPoints.add(PointIds.of(entity, rs.getString(1)).toString());
            }
        }
        Map<String, Embedded> ledgerRows = new HashMap<>();
        try (PreparedStatement s = ledger.prepareStatement("SELECT point_id::text, content_hash, model_id FROM "
                + quoteQualified(options.get("ledger.table")) + " WHERE entity_type = ?")) {
            s.setString(1, entity);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ledgerRows.put(rs.getString(1), new Embedded(rs.getString(2), rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the ledger table " + options.get("ledger.table")
                    + " (is the job running with --ledger.enabled true?): " + e.getMessage(), e);
        }
        Map<String, Embedded> points = points(client, collection);
        List<String> missing = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, Embedded> row : ledgerRows.entrySet()) {
            Embedded point = points.get(row.getKey());
            if (point == null) {
                missing.add(row.getKey());
            } else if (!row.getValue().equals(point) || !model.equals(point.modelId())) {
                stale.add(row.getKey());
            }
        }
        List<String> orphans = new ArrayList<>();
        for (String id : points.keySet()) {
            if (!ledgerRows.containsKey(id)) {
                orphans.add(id);
            }
        }
        long notEmbedded = catalogPoints.stream().filter(id -> !ledgerRows.containsKey(id)).count();
        return new CollectionStatus(entity, collection, catalogPoints.size(), ledgerRows.size(), points.size(),
                missing, stale, orphans, notEmbedded);
    }

    /** The points of a collection (empty when it does not exist) with their content hash and model id. */
    private static Map<String, Embedded> points(QdrantClient client, String collection) throws Exception {
        Map<String, Embedded> out = new HashMap<>();
        if (!QdrantCli.call(client.collectionExistsAsync(collection))) {
            return out;
        }
        ScrollPoints.Builder request = ScrollPoints.newBuilder().setCollectionName(collection).setLimit(1000)
                .setWithPayload(WithPayloadSelectorFactory.include(List.of("content_hash", "model_id")));
        while (true) {
            ScrollResponse page = QdrantCli.call(client.scrollAsync(request.build()));
            for (RetrievedPoint p : page.getResultList()) {
                out.put(p.getId().getUuid(), new Embedded(p.getPayloadMap().get("content_hash").getStringValue(),
                        p.getPayloadMap().get("model_id").getStringValue()));
            }
            if (!page.hasNextPageOffset()) {
                return out;
            }
            request.setOffset(page.getNextPageOffset());
        }
    }

    static void print(PrintStream out, List<CollectionStatus> report, String model) {
        out.printf(Locale.ROOT, "%-24s %12s %11s %13s %8s %6s %8s %13s%n", "collection", "catalog rows",
                "ledger rows", "qdrant points", "missing", "stale", "orphans", "not embedded");
        for (CollectionStatus r : report) {
            out.printf(Locale.ROOT, "%-24s %,12d %,11d %,13d %,8d %,6d %,8d %,13d%n", r.collection(), r.catalogRows(),
                    r.ledgerRows(), r.points(), r.missing().size(), r.stale().size(), r.orphans().size(),
                    r.notEmbedded());
        }
        long drift = report.stream().mapToLong(CollectionStatus::drift).sum();
        if (drift == 0) {
            out.println("No drift: every ledger row has its point in Qdrant with the same content hash and model ("
                    + model + "), and every point has its ledger row.");
            return;
        }
        for (CollectionStatus r : report) {
            examples(out, r.collection(), "missing from Qdrant", r.missing());
            examples(out, r.collection(), "stale (model or content hash differs; expected model " + model + ")",
                    r.stale());
            examples(out, r.collection(), "orphan points (no ledger row)", r.orphans());
        }
        out.println("Drift: " + drift + " point(s) disagree; a backfill (./shelfstream backfill) rewrites missing and "
                + "stale points; orphans are points the job did not write or whose removal it missed.");
    }

    private static void examples(PrintStream out, String collection, String what, List<String> ids) {
        if (!ids.isEmpty()) {
            out.println("  " + collection + ": " + ids.size() + " " + what + ", e.g. point "
                    + String.join(", ", ids.subList(0, Math.min(5, ids.size()))));
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String quoteQualified(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("\\.")) {
            sb.append(sb.length() == 0 ? "" : ".").append(quote(part));
        }
        return sb.toString();
    }
}
