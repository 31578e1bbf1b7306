package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class GenerateCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return GenerateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sizesAreRequired() throws Exception {
        assertThat(run("--books", "10", "--students", "5")).isEqualTo(2);
        assertThat(errors()).contains("--checkouts is required").contains("usage: ./shelfstream generate");
    }

    @Test
    void badValuesAreRejectedWithAMessageBeforeAnythingStarts() throws Exception {
        assertThat(run("--books", "ten", "--students", "5", "--checkouts", "1")).isEqualTo(2);
        assertThat(errors()).contains("--books must be a whole number, got 'ten'");
        assertThat(run("--books", "1", "--students", "5", "--checkouts", "1", "--malformed-fraction", "1.5"))
                .isEqualTo(2);
        assertThat(errors()).contains("malformed fraction must be in [0, 1)");
        assertThat(run("--books", "0", "--students", "5", "--checkouts", "1")).isEqualTo(2);
        assertThat(errors()).contains("at least one book");
        assertThat(run("--books", "1", "--students", "1", "--checkouts", "1", "--jdbc-user", "x")).isEqualTo(2);
        assertThat(errors()).contains("need --jdbc-url");
        assertThat(run("--books", "1", "--students", "1", "--checkouts", "1", "--seed", "x")).isEqualTo(2);
        assertThat(errors()).contains("--seed must be a number");
        assertThat(out.size()).isZero();
    }

    @Test
    void unknownOptionsAndMissingValuesAreNamed() throws Exception {
        assertThat(run("--bookz", "1")).isEqualTo(2);
        assertThat(errors()).contains("Unknown option '--bookz'");
        assertThat(run("--books")).isEqualTo(2);
        assertThat(errors()).contains("Option --books needs a value");
    }
}
