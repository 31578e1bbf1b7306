package io.shelfstream.job.cli;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;

/**
 * {@code ./shelfstream embed --input IN.jsonl --output OUT.jsonl [--device D] [--quantized]}: embeds the
 * {@code "text"} of every JSON line and writes the line back with a {@code "vector"} field added.
 *
 * <p>Each non-blank input line must be a JSON object with a string field {@code "text"}; every other field is
 * written back unchanged and in its place (numbers keep their digits), and {@code "vector"} (384 floats, unit
 * length) is appended, or replaced if the line already had one. Blank lines are skipped. The first bad line stops
 * the command with a message naming its line number, and no output file is written: the output appears, whole,
 * only when every line was embedded. Texts are embedded {@value #CHUNK_LINES} lines at a time, so the Embedder can
 * sort them by length.
 *
 * <pre>
 * ./shelfstream embed --input books.jsonl --output books-with-vectors.jsonl --device cpu
 * </pre>
 */
public final class EmbedCommand {

    /** Lines handed to the embedder in one call. */
    static final int CHUNK_LINES = 256;

    private static final String USAGE =
            "usage: ./shelfstream embed --input IN.jsonl --output OUT.jsonl [--device auto|cpu|cuda|cuda:N]"
                    + " [--quantized]";

    private EmbedCommand() {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code embed}
     * @param out  where the summary goes
     * @param err  where errors go
     * @return 0 on success, 1 for bad input or I/O errors, 2 for bad arguments
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path input = null;
        Path output = null;
        EmbedderOptions.Builder options = EmbedderOptions.builder();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--input" -> input = Paths.get(value(args, ++i, "--input"));
                    case "--output" -> output = Paths.get(value(args, ++i, "--output"));
                    case "--device" -> options.setDevice(value(args, ++i, "--device"));
                    case "--quantized" -> options.setQuantized(true);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (input == null || output == null) {
                throw new IllegalArgumentException("--input and --output are required");
            }
        } catch (IllegalArgumentException e) {
            err.println("embed: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            long started = System.nanoTime();
            Summary summary = embedFile(input, output, options.build());
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf("Embedded %d texts from %s into %s with %s on %s in %.1f s (%.1f texts/s)%n",
                    summary.texts, input, output, summary.modelId, summary.device, seconds,
                    summary.texts / Math.max(seconds, 1e-9));
            return 0;
        } catch (BadLineException e) {
            err.println("embed: " + input + " line " + e.line + ": " + e.getMessage() + "; nothing written to "
                    + output);
            return 1;
        } catch (NoSuchFileException e) {
            err.println("embed: no such file: " + e.getFile());
            return 1;
        } catch (IOException e) {
            err.println("embed: " + e);
            return 1;
        }
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static Summary embedFile(Path input, Path output, EmbedderOptions options) throws IOException {
        ObjectMapper json = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
        Path absolute = output.toAbsolutePath();
        Path temporary = Files.createTempFile(absolute.getParent(), absolute.getFileName() + ".", ".partial");
        boolean moved = false;
        try (MiniLmEmbedder embedder = MiniLmEmbedder.create(options)) {
            long embedded;
            try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8);
                    BufferedWriter writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                embedded = embedLines(json, embedder, reader, writer);
            }
            Files.move(temporary, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            return new Summary(embedded, embedder.modelId(), embedder.deviceInUse());
        } finally {
            if (!moved) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    private static long embedLines(ObjectMapper json, MiniLmEmbedder embedder, BufferedReader reader,
            BufferedWriter writer) throws IOException {
        List<ObjectNode> chunk = new ArrayList<>(CHUNK_LINES);
        List<String> texts = new ArrayList<>(CHUNK_LINES);
        long lineNumber = 0;
        long embedded = 0;
        while (true) {
            String line;
            try {
                line = reader.readLine();
            } catch (CharacterCodingException e) {
                throw new BadLineException(lineNumber + 1, "not valid UTF-8");
            }
            if (line == null || chunk.size() == CHUNK_LINES) {
                embedded += writeChunk(json, embedder, chunk, texts, writer);
            }
            if (line == null) {
                return embedded;
            }
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            ObjectNode object = parse(json, line, lineNumber);
            chunk.add(object);
            texts.add(object.get("text").textValue());
        }
    }

    private static ObjectNode parse(ObjectMapper json, String line, long lineNumber) {
        JsonNode node;
        try {
            node = json.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadLineException(lineNumber, "not JSON (" + e.getOriginalMessage() + ")");
        }
        if (!(node instanceof ObjectNode)) {
            throw new BadLineException(lineNumber, "expected a JSON object like {\"text\": \"...\"}, found "
                    + node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        JsonNode text = node.get("text");
        if (text == null) {
            throw new BadLineException(lineNumber, "no \"text\" field");
        }
        if (!text.isTextual()) {
            throw new BadLineException(lineNumber, "\"text\" must be a string, found "
                    + text.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        return (ObjectNode) node;
    }

    private static int writeChunk(ObjectMapper json, MiniLmEmbedder embedder, List<ObjectNode> chunk,
            List<String> texts, BufferedWriter writer) throws IOException {
        if (chunk.isEmpty()) {
            return 0;
        }
        float[][] vectors = embedder.embed(texts);
        for (int i = 0; i < chunk.size(); i++) {
            ArrayNode vector = chunk.get(i).putArray("vector");
            for (float x : vectors[i]) {
                vector.add(x);
            }
            writer.write(json.writeValueAsString(chunk.get(i)));
            writer.write('\n');
        }
        int written = chunk.size();
        chunk.clear();
        texts.clear();
        return written;
    }

    private record Summary(long texts, String modelId, String device) {
    }

    /** An input line that cannot be embedded. */
    private static final class BadLineException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final long line;

        BadLineException(long line, String message) {
            super(message);
            this.line = line;
        }
    }
}
