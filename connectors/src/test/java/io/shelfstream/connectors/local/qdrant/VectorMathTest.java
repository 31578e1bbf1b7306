package io.shelfstream.connectors.local.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import io.qdrant.client.grpc.Collections.Distance;

class VectorMathTest {

    @Test
    void cosineVectorsAreNormalisedToUnitLength() {
        float[] v = VectorMath.preprocess(Distance.Cosine, new float[] {3f, 4f});
        assertThat(v).containsExactly(new float[] {0.6f, 0.8f}, within(1e-7f));
    }

    @Test
    void zeroAndAlreadyUnitVectorsAreKeptAsTheyAre() {
        float[] zero = {0f, 0f, 0f};
        assertThat(VectorMath.preprocess(Distance.Cosine, zero)).isSameAs(zero);
        float[] unit = {1f, 0f};
        assertThat(VectorMath.preprocess(Distance.Cosine, unit)).isSameAs(unit);
    }

    @Test
    void otherDistancesStoreVectorsUnchanged() {
        float[] v = {3f, 4f};
        assertThat(VectorMath.preprocess(Distance.Dot, v)).isSameAs(v);
        assertThat(VectorMath.preprocess(Distance.Euclid, v)).isSameAs(v);
    }

    @Test
    void scoresFollowEachDistance() {
        float[] a = {1f, 2f};
        float[] b = {4f, 6f};
        assertThat(VectorMath.score(Distance.Dot, a, b)).isEqualTo(16f);
        assertThat(VectorMath.score(Distance.Euclid, a, b)).isEqualTo(5f);
        assertThat(VectorMath.score(Distance.Manhattan, a, b)).isEqualTo(7f);
        float[] na = VectorMath.normalise(a);
        float[] nb = VectorMath.normalise(b);
        assertThat(VectorMath.score(Distance.Cosine, na, nb)).isCloseTo(16f / (float) Math.sqrt(5 * 52), within(1e-6f));
    }

    @Test
    void thresholdIsStrictInTheDirectionOfTheDistance() {
        assertThat(VectorMath.passesThreshold(Distance.Cosine, 0.5f, 0.5f)).isFalse();
        assertThat(VectorMath.passesThreshold(Distance.Cosine, 0.51f, 0.5f)).isTrue();
        assertThat(VectorMath.passesThreshold(Distance.Euclid, 0.49f, 0.5f)).isTrue();
        assertThat(VectorMath.passesThreshold(Distance.Euclid, 0.5f, 0.5f)).isFalse();
    }
}
