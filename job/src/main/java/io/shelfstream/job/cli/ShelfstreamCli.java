package io.shelfstream.job.cli;

import java.util.Arrays;

/**
 * Entry point of the {@code ./shelfstream} launcher: {@code demo} and {@code run}.
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
                "  demo [--once] [--dashboard-port N]",
                "        start local Kafka, PostgreSQL and a Qdrant-compatible server, load a sample catalog,",
                "        run the job in a local Flink MiniCluster with its web dashboard, produce sample events",
                "        and print what reached Qdrant. --once stops after printing; otherwise Ctrl-C stops.",
                "  run --key value ...",
                "        run the job in a local MiniCluster against existing services; options as for",
                "        `flink run` (see README, Configuration).",
                ""));
    }
}
