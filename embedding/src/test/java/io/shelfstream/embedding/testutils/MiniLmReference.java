package io.shelfstream.embedding.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reference texts with their sentence-transformers token counts and vectors
 * ({@code reference/minilm-reference.jsonl}); the first three reproduce sbert's published
 * similarities.
 */
public final class MiniLmReference {

    /** Class-path location of the reference file. */
    public static final String RESOURCE = "reference/minilm-reference.jsonl";

    /** One reference line. */
    public record Entry(String text, int tokens, float[] vector) {}

    private static final List<Entry> ENTRIES = load();

    private MiniLmReference() {}

    /** Returns every entry, in file order. */
    public static List<Entry> entries() {
        return ENTRIES;
    }

    /** Returns the texts of every entry, in file order. */
    public static List<String> texts() {
        List<String> texts = new ArrayList<>();
        for (Entry entry : ENTRIES) {
            texts.add(entry.text());
        }
        return texts;
    }

    /** Returns the cosine similarity of two vectors. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(normA * normB);
    }

    /** Returns the largest absolute difference between two vectors' components. */
    public static double maxAbsDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    private static List<Entry> load() {
        ObjectMapper mapper = new ObjectMapper();
        List<Entry> entries = new ArrayList<>();
        try (InputStream in = MiniLmReference.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the test class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = mapper.readTree(line);
                JsonNode values = node.get("vector");
                float[] vector = new float[values.size()];
                for (int i = 0; i < vector.length; i++) {
                    vector[i] = (float) values.get(i).asDouble();
                }
                entries.add(new Entry(node.get("text").asText(), node.get("tokens").asInt(), vector));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableList(entries);
    }
}
