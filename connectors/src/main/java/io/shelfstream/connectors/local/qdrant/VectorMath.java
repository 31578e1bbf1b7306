package io.shelfstream.connectors.local.qdrant;

import io.qdrant.client.grpc.Collections.Distance;

/**
 * Qdrant's distance functions on dense float vectors.
 *
 * <p>Cosine vectors are L2-normalised before they are stored or searched (vectors whose squared length is
 * below {@code f32::EPSILON} or within 1e-6 of 1 are left as they are), after which cosine similarity is a
 * dot product. Euclid scores are the distance itself, Manhattan the L1 distance; both rank smaller first.
 */
final class VectorMath {

    /** {@code f32::EPSILON}, the threshold Qdrant uses to treat a squared length as zero. */
    private static final float F32_EPSILON = Math.ulp(1.0f);

    private VectorMath() {
    }

    /** Applies the distance's preprocessing (normalisation for Cosine) and returns a new array if it changes. */
    static float[] preprocess(Distance distance, float[] vector) {
        return distance == Distance.Cosine ? normalise(vector) : vector;
    }

    static float[] normalise(float[] vector) {
        float squared = 0f;
        for (float x : vector) {
            squared += x * x;
        }
        if (squared < F32_EPSILON || Math.abs(squared - 1.0f) <= 1.0e-6f) {
            return vector;
        }
        float length = (float) Math.sqrt(squared);
        float[] out = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            out[i] = vector[i] / length;
        }
        return out;
    }

    /** The score Qdrant reports for a preprocessed query against a stored (preprocessed) vector. */
    static float score(Distance distance, float[] query, float[] stored) {
        switch (distance) {
            case Cosine:
            case Dot: {
                float sum = 0f;
                for (int i = 0; i < query.length; i++) {
                    sum += query[i] * stored[i];
                }
                return sum;
            }
            case Euclid: {
                float sum = 0f;
                for (int i = 0; i < query.length; i++) {
                    float d = query[i] - stored[i];
                    sum += d * d;
                }
                return (float) Math.sqrt(sum);
            }
            case Manhattan: {
                float sum = 0f;
                for (int i = 0; i < query.length; i++) {
                    sum += Math.abs(query[i] - stored[i]);
                }
                return sum;
            }
            default:
                throw new IllegalArgumentException("unsupported distance " + distance);
        }
    }

    /** Whether larger scores are better (Cosine, Dot) or smaller ones (Euclid, Manhattan). */
    static boolean largerIsBetter(Distance distance) {
        return distance == Distance.Cosine || distance == Distance.Dot;
    }

    /** Qdrant's strict score-threshold test: better than the threshold, never equal to it. */
    static boolean passesThreshold(Distance distance, float score, float threshold) {
        return largerIsBetter(distance) ? score > threshold : score < threshold;
    }
}
