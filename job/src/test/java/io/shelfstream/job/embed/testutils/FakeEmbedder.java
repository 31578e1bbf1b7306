package io.shelfstream.job.embed.testutils;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import io.shelfstream.embedding.Embedder;
import io.shelfstream.job.embed.EmbedderFactory;

/**
 * An embedder without a model: each text gets a fixed pseudo-random unit vector, a text has one token per word plus
 * two, and every {@link #embed(List)} call is recorded under the name the factory was made with.
 */
public final class FakeEmbedder implements Embedder {

    /** The model id of fake vectors. */
    public static final String MODEL_ID = "fake-model";

    private static final int DIMENSION = 384;
    private static final Map<String, List<List<String>>> CALLS = new ConcurrentHashMap<>();

    private final String name;
    private boolean closed;

    private FakeEmbedder(String name) {
        this.name = name;
    }

    /** A factory whose embedders record their calls under {@code name}; use a fresh name per test. */
    public static EmbedderFactory factory(String name) {
        CALLS.put(name, Collections.synchronizedList(new ArrayList<>()));
        return options -> new FakeEmbedder(name);
    }

    /** The texts of every embed call made by embedders of {@code name}, in call order. */
    public static List<List<String>> calls(String name) {
        return List.copyOf(CALLS.get(name));
    }

    /** The vector the fake gives {@code text}. */
    public static float[] vectorOf(String text) {
        Random random = new Random(text.hashCode());
        float[] vector = new float[DIMENSION];
        double squares = 0;
        for (int i = 0; i < DIMENSION; i++) {
            vector[i] = (float) random.nextGaussian();
            squares += vector[i] * vector[i];
        }
        float norm = (float) Math.sqrt(squares);
        for (int i = 0; i < DIMENSION; i++) {
            vector[i] /= norm;
        }
        return vector;
    }

    @Override
    public float[][] embed(List<String> texts) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        CALLS.get(name).add(List.copyOf(texts));
        float[][] vectors = new float[texts.size()][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = vectorOf(texts.get(i));
        }
        return vectors;
    }

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public int countTokens(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? 2 : trimmed.split("\\s+").length + 2;
    }

    @Override
    public String deviceInUse() {
        return "fake";
    }

    @Override
    public void close() {
        closed = true;
    }
}
