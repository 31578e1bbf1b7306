package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Runs {@code ./shelfstream demo --once} in-process on a small library: the README's first command must work. */
class DemoCommandITCase {

    @Test
    void demoRunsTheWholePipelineAndPrintsProgressSearchesAndRecommendations() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            exit = DemoCommand.run(new String[] {"--once", "--dashboard-port", "18081", "--books", "120",
                "--students", "30", "--checkouts", "1500"}, out);
        }
        String output = buffer.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(output).isZero();
        assertThat(output).contains("Flink dashboard: http://localhost:").contains("(up, job ");
        assertThat(output).contains("Catalog loaded: 120 books, 30 students");

        // live progress ends with every event read and points written
        List<String> progress = output.lines().filter(l -> l.startsWith("  events in ")).toList();
        assertThat(progress).as(output).isNotEmpty();
        Matcher last = Pattern.compile("events in ([\\d,]+)/([\\d,]+) .*points written ([\\d,]+)")
                .matcher(progress.get(progress.size() - 1));
        assertThat(last.find()).isTrue();
        assertThat(last.group(1)).isEqualTo(last.group(2));
        assertThat(Long.parseLong(last.group(3).replace(",", ""))).isPositive();

        Matcher counts = Pattern.compile("Qdrant: (\\d+) book points, (\\d+) student points").matcher(output);
        assertThat(counts.find()).as(output).isTrue();
        assertThat(Integer.parseInt(counts.group(1))).isBetween(100, 120);
        assertThat(Integer.parseInt(counts.group(2))).isBetween(25, 30);

        assertThat(output).contains("Search \"a mystery with a detective\" in 'books': 3 hits");
        assertThat(output).containsPattern("Student s-\\d+: (no interests given|interests '.*'), preferred genres .*, \\d+ checkouts");
        assertThat(output).containsPattern("Recommendations for student 's-\\d+' .*excluding \\d+ recently "
                + "checked-out books?: 5 hits");
        assertThat(output).contains("Dead-letter topic 'shelfstream-dead-letter' holds");
        // the demo writes the embedding ledger, and status finds it in agreement with Qdrant
        assertThat(output).contains("./shelfstream status").contains("No drift");
    }
}
