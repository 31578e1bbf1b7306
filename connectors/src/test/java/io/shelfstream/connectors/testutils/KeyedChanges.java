package io.shelfstream.connectors.testutils;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.schemas.PointIds;

/**
 * A deterministic stream of keyed point changes for sink tests: change {@code seq} upserts or deletes the point of
 * one of {@code keys} keys, chosen by a hash of {@code seq}, so every key sees a few upserts and deletes spread over
 * the stream. An upsert carries {@code {"key": k, "seq": seq}} and a vector derived from both.
 *
 * <p>{@link #expectedAfter(long)} tells what Qdrant must hold once the first {@code n} changes are applied in order:
 * one point per key whose last change is an upsert, with that change's payload.
 */
public final class KeyedChanges implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Dimension of the vectors. */
    public static final int DIMENSIONS = 4;

    private final String collection;
    private final int keys;

    public KeyedChanges(String collection, int keys) {
        this.collection = collection;
        this.keys = keys;
    }

    /** The key that change {@code seq} touches. */
    public int keyOf(long seq) {
        return (int) Math.floorMod(mix(seq), (long) keys);
    }

    /** Whether change {@code seq} is a delete (about one in five). */
    public boolean isDelete(long seq) {
        return Math.floorMod(mix(seq ^ 0x5DEECE66DL), 5L) == 0;
    }

    /** The point id of a key: UUIDv5 of the key, as the job derives ids. */
    public static String pointId(int key) {
        return PointIds.of("test", Integer.toString(key)).toString();
    }

    /** The vector an upsert of change {@code seq} carries. */
    public float[] vectorOf(long seq) {
        int key = keyOf(seq);
        return new float[] {1 + key % 5, 1 + seq % 7, 1 + (seq / 7) % 3, 0.5f};
    }

    /** Change {@code seq} as a {@link PointWrite}. */
    public PointWrite at(long seq) {
        int key = keyOf(seq);
        String id = pointId(key);
        if (isDelete(seq)) {
            return new PointWrite(collection, id, true, null, null);
        }
        return new PointWrite(collection, id, false, vectorOf(seq),
                "{\"key\":" + key + ",\"seq\":" + seq + "}");
    }

    /** Point id to the {@code seq} of its last change, for keys whose last change among the first n is an upsert. */
    public Map<String, Long> expectedAfter(long n) {
        Map<Integer, Long> last = new HashMap<>();
        for (long seq = 0; seq < n; seq++) {
            last.put(keyOf(seq), seq);
        }
        Map<String, Long> expected = new HashMap<>();
        last.forEach((key, seq) -> {
            if (!isDelete(seq)) {
                expected.put(pointId(key), seq);
            }
        });
        return expected;
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
