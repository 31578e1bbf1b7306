package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** {@code ./shelfstream bench enrichment} measures both modes on a small catalog and prints comparable lines. */
class EnrichmentBenchCommandITCase {

    @Test
    void comparesBatchedLookupsWithOneQueryPerRecord() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EnrichmentBenchCommand.run(new String[] {"--records", "3000", "--rows", "500"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(report).contains("catalog lookup benchmark: 3,000 lookups of ids drawn from 500 catalog rows")
                .contains("batched vs one query per record:");
        assertThat(roundTripsPer1000(report, "batched (batch 200, max delay 10ms)")).isLessThan(100.0);
        assertThat(roundTripsPer1000(report, "one query per record")).isEqualTo(1000.0);
        assertThat(roundTripsPer1000(report, "no query (removals: pipeline ceiling)")).isZero();
    }

    @Test
    void badArgumentsPrintTheUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(EnrichmentBenchCommand.run(new String[] {"--records", "0"}, System.out, errStream)).isEqualTo(2);
        assertThat(EnrichmentBenchCommand.run(new String[] {"--batch-size", "5000"}, System.out, errStream))
                .isEqualTo(2);
        assertThat(EnrichmentBenchCommand.run(new String[] {"--fast"}, System.out, errStream)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--records must be a positive integer")
                .contains("exceeds the capacity").contains("usage: ./shelfstream bench enrichment");
    }

    private static double roundTripsPer1000(String report, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "\\s+[\\d,]+\\s+([\\d.]+)").matcher(report);
        assertThat(m.find()).as("line '%s' in%n%s", label, report).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
