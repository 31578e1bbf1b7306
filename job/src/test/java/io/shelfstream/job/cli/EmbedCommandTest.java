package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;

/** {@code ./shelfstream embed}: JSON lines in, the same lines with a vector out; bad lines named by number. */
class EmbedCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static MiniLmEmbedder embedder;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void createEmbedder() {
        embedder = MiniLmEmbedder.create(EmbedderOptions.builder().setDevice("cpu").build());
    }

    @AfterAll
    static void closeEmbedder() {
        embedder.close();
    }

    @Test
    void addsAVectorToEveryLineAndKeepsTheOtherFieldsAsTheyWere() throws Exception {
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input, String.join("\n",
                "{\"id\":1,\"text\":\"Hatchet. A boy survives alone in the wilderness.\",\"price\":12.50,"
                        + "\"tags\":[\"adventure\",null],"
                        + "\"meta\":{\"isbn\":\"978-0-689-84092-3\",\"big\":123456789012345678901234567890}}",
                "",
                "{\"text\":\"図書館で竜の本を借りました。\",\"id\":\"two\"}",
                "{\"id\":3,\"text\":\"\",\"vector\":[0.5]}",
                "{\"text\":\"" + "The quick brown fox jumps over the lazy dog. ".repeat(40) + "\"}",
                ""), StandardCharsets.UTF_8);
        Path output = dir.resolve("out.jsonl");

        int exit = run("--input", input.toString(), "--output", output.toString(), "--device", "cpu");

        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Embedded 4 texts").contains("all-minilm-l6-v2")
                .contains("on cpu");
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(4);

        // fields keep their order and values, numbers their digits; the vector is appended
        assertThat(lines.get(0)).startsWith("{\"id\":1,\"text\":\"Hatchet. A boy survives alone in the wilderness.\","
                + "\"price\":12.50,\"tags\":[\"adventure\",null],"
                + "\"meta\":{\"isbn\":\"978-0-689-84092-3\",\"big\":123456789012345678901234567890},\"vector\":[");
        assertThat(lines.get(1))
                .startsWith("{\"text\":\"図書館で竜の本を借りました。\",\"id\":\"two\",\"vector\":[");
        // an existing vector is replaced in place
        assertThat(lines.get(2)).startsWith("{\"id\":3,\"text\":\"\",\"vector\":[");

        for (String line : lines) {
            JsonNode node = JSON.readTree(line);
            String text = node.get("text").asText();
            float[] expected = embedder.embed(text);
            JsonNode vector = node.get("vector");
            assertThat(vector.size()).isEqualTo(384);
            Iterator<JsonNode> values = vector.elements();
            for (int d = 0; d < 384; d++) {
                assertThat(Math.abs(values.next().floatValue() - expected[d])).as("%s[%d]", text, d)
                        .isLessThanOrEqualTo(1e-5f);
            }
        }
    }

    @Test
    void badLineStopsWithItsLineNumberAndWritesNothing() throws Exception {
        Path output = dir.resolve("out.jsonl");
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"{\"text\":\"fine\"}\n{\"text\": \"unfinished\n", "line 2: not JSON"});
        cases.add(new String[] {"{\"text\":\"fine\"}\n\n{\"title\":\"no text\"}\n", "line 3: no \"text\" field"});
        cases.add(new String[] {"{\"text\":42}\n", "line 1: \"text\" must be a string, found number"});
        cases.add(new String[] {"[\"text\"]\n",
            "line 1: expected a JSON object like {\"text\": \"...\"}, found array"});
        for (String[] testCase : cases) {
            Path input = Files.writeString(dir.resolve("bad.jsonl"), testCase[0], StandardCharsets.UTF_8);
            err.reset();

            int exit = run("--input", input.toString(), "--output", output.toString(), "--device", "cpu");

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(input + " " + testCase[1])
                    .contains("nothing written to " + output);
            assertThat(output).doesNotExist();
            try (var files = Files.list(dir)) {
                assertThat(files).as("no partial output is left behind").containsExactly(input);
            }
        }
    }

    @Test
    void wrongArgumentsPrintTheUsage() {
        assertThat(run("--input", "in.jsonl")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--input and --output are required")
                .contains("usage: ./shelfstream embed");
        err.reset();
        assertThat(run("--input", "a", "--output", "b", "--device", "tpu")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown device 'tpu'");
    }

    private int run(String... args) {
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            return EmbedCommand.run(args, o, e);
        }
    }
}
