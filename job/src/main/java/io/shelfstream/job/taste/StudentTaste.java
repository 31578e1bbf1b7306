package io.shelfstream.job.taste;

import java.util.Arrays;

/**
 * Keyed state of a student's taste: the profile point (vector and payload) and a running, recency-weighted sum
 * of the vectors of the books the student checked out, from which {@link #tasteVector} computes the vector of
 * DESIGN.md section 2 (see {@link TasteSettings} for the formula).
 *
 * <p>The sum is kept relative to the newest checkout time seen ({@link #latestMillis}): a newer checkout scales
 * the sum and weight by {@code 2^(-(t - latest) / halfLife)} before adding itself with weight 1, an older one is
 * added with weight {@code 2^(-(latest - t) / halfLife)}. Either way the result is
 * {@code sum_i 2^(-(latest - t_i) / halfLife) * v_i}, whatever order the checkouts arrive in, in constant space.
 * {@link #recentBookIds} keeps the distinct books with the newest checkout times, newest first, which is also
 * independent of arrival order.
 *
 * <p>A Flink POJO (public no-argument constructor, public fields of POJO-serializable types: primitive and
 * String arrays, no collections), so Flink serializes it without Kryo and lets fields be added or removed
 * between job versions (state schema evolution).
 */
public class StudentTaste {

    /** The collection (or alias) of the student's point; null until the profile has been embedded. */
    public String collection;
    /** The embedded profile text, unit length; null until the profile has been embedded. */
    public float[] profile;
    /** The profile point's payload as the embedding operator wrote it. */
    public String profilePayload;
    /** Recency-weighted sum of checked-out book vectors, relative to {@link #latestMillis}; null before the
     * first checkout. */
    public float[] sum;
    /** Sum of the weights in {@link #sum}. */
    public double weight;
    /** The newest {@code occurred_at} among the student's checkouts, epoch ms. */
    public long latestMillis;
    /** {@code checkout_created} events joined so far. */
    public long checkoutCount;
    /** Distinct recently checked-out books, newest first. */
    public String[] recentBookIds = new String[0];
    /** The newest checkout time of each of {@link #recentBookIds}, epoch ms. */
    public long[] recentMillis = new long[0];
    /** The profile weight of the point last written for this student; NaN before the first write (and in state
     * written by a version that did not keep it), so a changed weight can rewrite every student after a restore. */
    public double writtenWeight = Double.NaN;

    /** For Flink's POJO serializer. */
    public StudentTaste() {
    }

    /** True once the profile has been embedded, i.e. the student exists in the catalog. */
    public boolean hasProfile() {
        return profile != null;
    }

    /**
     * Adds one checked-out book.
     *
     * @param vector       the book's vector
     * @param bookId       the book
     * @param occurredAt   the checkout's {@code occurred_at}, epoch ms
     * @param settings     half-life and how many recent books to keep
     */
    public void addCheckout(float[] vector, String bookId, long occurredAt, TasteSettings settings) {
        double halfLifeMillis = settings.halfLife().toMillis();
        if (sum == null) {
            sum = Arrays.copyOf(vector, vector.length);
            weight = 1.0;
            latestMillis = occurredAt;
        } else if (occurredAt > latestMillis) {
            double decay = Math.pow(2.0, -(occurredAt - latestMillis) / halfLifeMillis);
            for (int i = 0; i < sum.length; i++) {
                sum[i] = (float) (sum[i] * decay + vector[i]);
            }
            weight = weight * decay + 1.0;
            latestMillis = occurredAt;
        } else {
            double w = Math.pow(2.0, -(latestMillis - occurredAt) / halfLifeMillis);
            for (int i = 0; i < sum.length; i++) {
                sum[i] = (float) (sum[i] + w * vector[i]);
            }
            weight += w;
        }
        checkoutCount++;
        rememberRecent(bookId, occurredAt, settings.recentBooks());
    }

    /** Moves the checkouts of {@code other} (a student's state kept before the profile came) into this one. */
    void adoptCheckouts(StudentTaste other) {
        sum = other.sum;
        weight = other.weight;
        latestMillis = other.latestMillis;
        checkoutCount = other.checkoutCount;
        recentBookIds = other.recentBookIds;
        recentMillis = other.recentMillis;
    }

    /**
     * The taste vector: {@code normalize(a * profile + (1 - a) * sum / weight)}, or the profile alone before the
     * first checkout.
     *
     * @param profileWeight {@code a}, in [0, 1]
     * @return a new unit-length vector
     */
    public float[] tasteVector(double profileWeight) {
        if (sum == null || weight <= 0.0) {
            return normalized(profile, 1.0, null, 0.0);
        }
        float[] blended = normalized(profile, profileWeight, sum, (1.0 - profileWeight) / weight);
        return blended != null ? blended : normalized(profile, 1.0, null, 0.0);
    }

    /** {@code normalize(a * x + b * y)} in double precision; null when the result has no direction. */
    private static float[] normalized(float[] x, double a, float[] y, double b) {
        double[] v = new double[x.length];
        double norm = 0.0;
        for (int i = 0; i < v.length; i++) {
            v[i] = a * x[i] + (y == null ? 0.0 : b * y[i]);
            norm += v[i] * v[i];
        }
        if (norm == 0.0 || !Double.isFinite(norm)) {
            return null;
        }
        double scale = 1.0 / Math.sqrt(norm);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] * scale);
        }
        return out;
    }

    private void rememberRecent(String bookId, long occurredAt, int limit) {
        if (limit == 0) {
            return;
        }
        int existing = -1;
        for (int i = 0; i < recentBookIds.length; i++) {
            if (recentBookIds[i].equals(bookId)) {
                existing = i;
                break;
            }
        }
        if (existing >= 0 && recentMillis[existing] >= occurredAt) {
            return;
        }
        // remove the book's older entry, then insert it at its place in newest-first order (ties: book id order)
        int n = recentBookIds.length - (existing >= 0 ? 1 : 0);
        String[] ids = new String[n + 1];
        long[] times = new long[n + 1];
        int j = 0;
        boolean placed = false;
        for (int i = 0; i < recentBookIds.length; i++) {
            if (i == existing) {
                continue;
            }
            if (!placed && newer(occurredAt, bookId, recentMillis[i], recentBookIds[i])) {
                ids[j] = bookId;
                times[j++] = occurredAt;
                placed = true;
            }
            ids[j] = recentBookIds[i];
            times[j++] = recentMillis[i];
        }
        if (!placed) {
            ids[j] = bookId;
            times[j] = occurredAt;
        }
        int keep = Math.min(limit, ids.length);
        recentBookIds = Arrays.copyOf(ids, keep);
        recentMillis = Arrays.copyOf(times, keep);
    }

    private static boolean newer(long t1, String id1, long t2, String id2) {
        return t1 > t2 || (t1 == t2 && id1.compareTo(id2) < 0);
    }
}
