package io.shelfstream.embedding.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a batch of tokenized texts into model calls that waste little padding.
 *
 * <p>Texts are ordered by token length (ties keep input order) and cut greedily into
 * sub-batches of at most {@code maxRecords} texts whose padded size, longest text times texts,
 * stays within {@code maxTokens}. Each sub-batch is padded only to its own longest text.
 */
public final class SubBatchPlanner {

    private SubBatchPlanner() {}

    /**
     * Plans the sub-batches.
     *
     * @param lengths token count of each text, in input order
     * @param maxRecords at most this many texts per sub-batch, >= 1
     * @param maxTokens at most this many padded tokens per sub-batch, unless a single text is
     *     longer on its own
     * @return the sub-batches in call order, each the input indices of its texts
     */
    public static List<int[]> plan(int[] lengths, int maxRecords, int maxTokens) {
        if (maxRecords < 1 || maxTokens < 1) {
            throw new IllegalArgumentException(
                    "maxRecords and maxTokens must be >= 1, were " + maxRecords + ", " + maxTokens);
        }
        Integer[] order = new Integer[lengths.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> lengths[i])); // stable: ties keep order

        List<int[]> plan = new ArrayList<>();
        int[] current = new int[Math.min(maxRecords, Math.max(1, lengths.length))];
        int size = 0;
        for (int index : order) {
            // ascending order: the text being added is the longest of the sub-batch
            long paddedIfAdded = (long) lengths[index] * (size + 1);
            if (size > 0 && (size == maxRecords || paddedIfAdded > maxTokens)) {
                plan.add(Arrays.copyOf(current, size));
                size = 0;
            }
            current[size++] = index;
        }
        if (size > 0) {
            plan.add(Arrays.copyOf(current, size));
        }
        return plan;
    }
}
