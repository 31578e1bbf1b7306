package io.shelfstream.job.cli;

import java.util.Arrays;

/**
 * Entry point of the {@code ./shelfstream} launcher; {@code ./shelfstream help} lists the commands.
 *
 * <pre>
 * ./shelfstream demo [--once]      local services + sample data + the job in a MiniCluster with the dashboard
 * ./shelfstream run --key value... the job against real services, in a local MiniCluster
 * </pre>
 */
public final class ShelfstreamCli {

    private ShelfstreamCli() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage();
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "demo" -> System.exit(DemoCommand.run(rest, System.out));
            case "run" -> io.shelfstream.job.ShelfstreamJob.main(rest);
            case "backfill" -> System.exit(BackfillCommand.run(rest, System.out, System.err));
            case "status" -> System.exit(StatusCommand.run(rest, System.out, System.err));
            case "cleanup" -> System.exit(CleanupCommand.run(rest, System.out, System.err));
            case "embed" -> System.exit(EmbedCommand.run(rest, System.out, System.err));
            case "bench" -> System.exit(rest.length > 0 && rest[0].equals("enrichment")
                    ? EnrichmentBenchCommand.run(Arrays.copyOfRange(rest, 1, rest.length), System.out, System.err)
                    : rest.length > 0 && rest[0].equals("e2e")
                    ? E2eBenchCommand.run(Arrays.copyOfRange(rest, 1, rest.length), System.out, System.err)
                    : BenchCommand.run(rest, System.out, System.err));
            case "generate" -> System.exit(GenerateCommand.run(rest, System.out, System.err));
            case "search" -> System.exit(SearchCommand.run(rest, System.out, System.err));
            case "recommend" -> System.exit(RecommendCommand.run(rest, System.out, System.err));
            default -> {
                System.err.println("Unknown command '" + args[0] + "'.");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.out.println(String.join("\n",
                "usage: ./shelfstream <command> [options]",
                "",
                "commands:",
                "  demo [--once] [--dashboard-port N] [--books N] [--students N] [--checkouts N] [--seed S]",
                "        start local Kafka, PostgreSQL and a Qdrant-compatible server, generate a library, run the",
                "        whole job in a local Flink MiniCluster with its web dashboard, stream the events with live",
                "        progress, then print searches and recommendations. --once stops after printing.",
                "  run --key value ...",
                "        run the job in a local MiniCluster against existing services; options as for",
                "        `flink run` (see README, Configuration).",
                "  backfill [--entities books,students] [--key value ...]",
                "        embed every catalog row (flink-connector-jdbc JdbcSource, parallel id-range splits) into",
                "        Qdrant as a bounded job against existing services; job options as for run. Inside a",
                "        running job use --backfill.entities instead (the newest catalog row wins there).",
                "  status [--key value ...]",
                "        per collection: catalog rows, ledger rows, Qdrant points, and points missing, stale",
                "        (model or content hash) or orphaned; exit 1 on drift (for cron or a readiness probe).",
                "  cleanup [--dry-run] [--key value ...]",
                "        after a model migration (qdrant.versioned), delete the books__<model> / students__<model>",
                "        collections no alias points at any more.",
                "  embed --input IN.jsonl --output OUT.jsonl [--device auto|cpu|cuda|cuda:N] [--quantized]",
                "        add a \"vector\" (all-MiniLM-L6-v2, 384 floats) to every JSON line {\"text\": ...};",
                "        other fields are kept. A bad line stops with its line number and writes nothing.",
                "  bench embedding [--corpus FILE] [--docs N] [--seed S] [--rounds R] [--device D] [--quantized]",
                "        time the same texts through (a) a bare ONNX Runtime session batching naively, (b) the",
                "        Embedder and (c) the Flink embedding operator; print docs/s, tokens/s, b/a and c/a.",
                "  bench enrichment [--records N] [--rows N] [--batch-size N] [--max-batch-delay D] [--pool-size N]",
                "        time the books catalog lookup batched and with one query per record, in one process against",
                "        a local PostgreSQL; print lookups/s and database round trips per 1,000 records.",
                "  bench e2e [--workload books|checkouts|backfill|all] [--events N] [--docs N] [--rate R]",
                "            [--students S] [--guarantee exactly-once|at-least-once] [--sweep] [--out DIR]",
                "        the whole job in a MiniCluster against local services: events/s per workload against its",
                "        ceiling measured in the same run, event-to-visible latency, heap, RSS, checkpoints.",
                "  generate --books N --students M --checkouts K [--seed S] [--malformed-fraction F]",
                "           [--kafka BOOTSTRAP] [--jdbc-url URL --jdbc-user U --jdbc-password P] [--topic-prefix P]",
                "        a synthetic library, seeded: the catalog into PostgreSQL, events into the books, students",
                "        and checkouts topics; local services when --kafka / --jdbc-url are not given.",
                "  search \"text\" [--collection books] [--limit 10] [--filter key=value]... [--qdrant-url URL]",
                "         [--api-key K] [--device D] [--vector-name text] [--show-score-threshold X]",
                "        embed the text like the job does and print the nearest points of a Qdrant collection",
                "        (gRPC, default http://localhost:6334). Filters must all hold: key=value, key=a|b (any of),",
                "        key>=N, key<=N.",
                "  recommend --student ID [--limit 10] [--filter key=value]... [--books-collection books]",
                "            [--students-collection students] [--qdrant-url URL] [--api-key K]",
                "        the books nearest to the student's taste vector in Qdrant, leaving out the student's",
                "        recent_book_ids; the same table as search.",
                ""));
    }
}
