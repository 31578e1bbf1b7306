package io.shelfstream.job.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.qdrant.client.QdrantClient;
import io.shelfstream.connectors.qdrant.QdrantAliases;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;
import io.shelfstream.job.JobOptions;

/**
 * {@code ./shelfstream cleanup [--dry-run] [job options]}: after a model migration, deletes the versioned
 * collections ({@code books__<model>}, {@code students__<model>}) that the readers' aliases no longer point at.
 * Collections an alias points at, and collections not named {@code <alias>__...}, are never touched. Prints what it
 * deletes (or would delete, with {@code --dry-run}).
 */
public final class CleanupCommand {

    private CleanupCommand() {
    }

    /** Runs the command; returns the exit code (0 done, 1 failed, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean dryRun = false;
        List<String> jobArgs = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--dry-run")) {
                dryRun = true;
            } else {
                jobArgs.add(a);
            }
        }
        JobOptions options;
        try {
            options = JobOptions.fromArgs(jobArgs.toArray(new String[0]));
        } catch (IllegalArgumentException e) {
            err.println("cleanup: " + e.getMessage());
            return 2;
        }
        QdrantEndpoint endpoint = QdrantCli.endpoint(options.get("qdrant.url"), options.get("qdrant.api-key"));
        try (QdrantClient client = endpoint.newClient(); QdrantAliases aliases = QdrantAliases.using(client)) {
            List<String> unused = unused(QdrantCli.call(client.listCollectionsAsync()), aliases.list(),
                    List.of(options.get("qdrant.collection.books"), options.get("qdrant.collection.students")));
            for (String collection : unused) {
                if (!dryRun) {
                    QdrantCli.call(client.deleteCollectionAsync(collection));
                }
                out.println((dryRun ? "would delete " : "deleted ") + collection);
            }
            out.println(unused.isEmpty() ? "Nothing to clean up." : unused.size() + " collection(s) "
                    + (dryRun ? "to delete." : "deleted."));
            return 0;
        } catch (RuntimeException e) {
            err.println("cleanup failed: " + e.getMessage());
            return 1;
        }
    }

    /** Collections named {@code <alias>__...} for one of {@code aliasNames} that no alias points at. */
    static List<String> unused(Collection<String> collections, Map<String, String> aliases,
            Collection<String> aliasNames) {
        List<String> out = new ArrayList<>();
        for (String c : collections) {
            boolean versioned = aliasNames.stream().anyMatch(a -> c.startsWith(a + "__"));
            if (versioned && !aliases.containsValue(c)) {
                out.add(c);
            }
        }
        out.sort(null);
        return out;
    }
}
