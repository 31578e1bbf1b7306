package io.shelfstream.schemas.generator;

import java.util.Arrays;

/** Draws ranks {@code 0..n-1} with probability proportional to {@code 1 / (rank + 1)^exponent}. */
final class ZipfSampler {

    private final double[] cumulative;

    ZipfSampler(int n, double exponent) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        cumulative = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, exponent);
            cumulative[k] = sum;
        }
    }

    int size() {
        return cumulative.length;
    }

    int sample(Rand r) {
        double x = r.nextDouble() * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, x);
        return i >= 0 ? i : Math.min(-i - 1, cumulative.length - 1);
    }
}
