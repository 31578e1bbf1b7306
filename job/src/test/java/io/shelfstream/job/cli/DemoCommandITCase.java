package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Runs {@code ./shelfstream demo --once} in-process: the README's first command must keep working. */
class DemoCommandITCase {

    @Test
    void demoRunsTheJobAndPrintsWhatReachedQdrantAndTheDeadLetterTopic() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            exit = DemoCommand.run(new String[] {"--once", "--dashboard-port", "18081"}, out);
        }
        String output = buffer.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(output).isZero();
        assertThat(output).contains("Flink dashboard: http://localhost:").contains("(up, job ");
        // six books added, b-0006 removed again
        assertThat(output).contains("Qdrant collection 'books' now holds 5 points");
        assertThat(output).contains("b-0004").doesNotContain("b-0006 ");
        // semantic search finds the dragon book first
        String search = output.substring(output.indexOf("Search \""));
        String firstHit = search.lines().skip(1).findFirst().orElse("");
        assertThat(firstHit).contains("Dragons of the Northern Ice");
        assertThat(output).contains("holds 2 records").contains("catalog_row_missing").contains("not_json");
    }
}
