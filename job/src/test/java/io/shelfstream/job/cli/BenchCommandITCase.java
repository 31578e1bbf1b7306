package io.shelfstream.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./shelfstream bench embedding} runs all three paths, on a generated corpus or a file. */
class BenchCommandITCase {

    @TempDir
    Path dir;

    @Test
    void benchmarksTheBareSessionTheEmbedderAndTheOperatorPath() throws Exception {
        Path corpus = dir.resolve("corpus.jsonl");
        Files.write(corpus, List.of(
                "{\"text\": \"Hatchet. A boy survives alone in the Canadian wilderness.\", \"id\": 1}",
                "Frindle. A fifth grader invents a new word for pen.",
                "",
                "{\"text\": \"" + "The quick brown fox jumps over the lazy dog. ".repeat(20) + "\"}"),
                StandardCharsets.UTF_8);

        String generated = run("embedding", "--docs", "40", "--rounds", "2", "--device", "cpu");
        String fromFile = run("embedding", "--corpus", corpus.toString(), "--device", "cpu");

        assertThat(generated).contains("Embedding benchmark: 40 texts (generated: seed 42, 20-180 words)")
                .contains("(a) bare ONNX Runtime").contains("(b) Embedder").contains("(c) Flink")
                .containsPattern("b/a = \\d+\\.\\d\\d   c/a = \\d+\\.\\d\\d   \\(medians of 2 rounds\\)")
                .containsPattern("per round:  b/a \\d+\\.\\d\\d c/a \\d+\\.\\d\\d;  b/a")
                // same fp32 model, same semantics: the naive and the sorted path give the same vectors
                .containsPattern("lowest cosine (0\\.99999\\d|1\\.000000)");
        assertThat(fromFile).contains("Embedding benchmark: 3 texts (" + corpus + ")");
    }

    @Test
    void generatedCorpusIsReproducibleAndMixesLengths() {
        List<String> texts = BenchCorpus.generate(200, 42);
        assertThat(texts).isEqualTo(BenchCorpus.generate(200, 42)).isNotEqualTo(BenchCorpus.generate(200, 7));
        assertThat(texts).allSatisfy(text -> assertThat(text.split(" ").length).isBetween(20, 180));
        assertThat(texts.stream().mapToInt(t -> t.split(" ").length).min().orElseThrow()).isLessThan(30);
        assertThat(texts.stream().mapToInt(t -> t.split(" ").length).max().orElseThrow()).isGreaterThan(170);
    }

    @Test
    void unknownBenchmarkIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BenchCommand.run(new String[] {"kafka"}, System.out, new PrintStream(err, true,
                StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("unknown benchmark 'kafka' (known: embedding, enrichment)");
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output + err.toString(StandardCharsets.UTF_8)).isZero();
        return output;
    }
}
