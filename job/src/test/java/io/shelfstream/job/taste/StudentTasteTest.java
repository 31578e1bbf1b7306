package io.shelfstream.job.taste;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

import io.shelfstream.job.records.CheckoutChange;

class StudentTasteTest {

    private static final int DIM = 384;
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final TasteSettings SETTINGS = new TasteSettings(0.3, Duration.ofDays(10), 3,
            Duration.ofMinutes(1), Duration.ofDays(1));

    private record Checkout(String bookId, long at, float[] vector) {
    }

    @Test
    void tasteVectorIsTheDocumentedFormulaWhateverTheArrivalOrder() {
        Random random = new Random(7);
        float[] profile = unit(random);
        List<Checkout> checkouts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            checkouts.add(new Checkout("b-" + random.nextInt(15), 1_700_000_000_000L + random.nextInt(200) * DAY,
                    unit(random)));
        }
        float[] expected = formula(profile, checkouts, 0.3, 10 * DAY);

        for (int round = 0; round < 5; round++) {
            Collections.shuffle(checkouts, random);
            StudentTaste taste = new StudentTaste();
            taste.profile = profile;
            for (Checkout c : checkouts) {
                taste.addCheckout(c.vector(), c.bookId(), c.at(), SETTINGS);
            }
            assertThat(cosine(taste.tasteVector(0.3), expected)).isGreaterThan(0.99999);
            assertThat(norm(taste.tasteVector(0.3))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            assertThat(taste.checkoutCount).isEqualTo(40);
        }
    }

    @Test
    void recentBooksAreTheNewestDistinctBooksWhateverTheArrivalOrder() {
        Random random = new Random(11);
        List<Checkout> checkouts = List.of(
                new Checkout("b-1", 10 * DAY, unit(random)),
                new Checkout("b-2", 30 * DAY, unit(random)),
                new Checkout("b-1", 40 * DAY, unit(random)),
                new Checkout("b-3", 20 * DAY, unit(random)),
                new Checkout("b-4", 35 * DAY, unit(random)),
                new Checkout("b-5", 35 * DAY, unit(random)));
        List<Checkout> shuffled = new ArrayList<>(checkouts);
        for (int round = 0; round < 10; round++) {
            Collections.shuffle(shuffled, random);
            StudentTaste taste = new StudentTaste();
            for (Checkout c : shuffled) {
                taste.addCheckout(c.vector(), c.bookId(), c.at(), SETTINGS);
            }
            // newest first, a tie broken by book id, three kept, b-1 once (at its newest time)
            assertThat(taste.recentBookIds).containsExactly("b-1", "b-4", "b-5");
            assertThat(taste.recentMillis).containsExactly(40 * DAY, 35 * DAY, 35 * DAY);
            assertThat(taste.latestMillis).isEqualTo(40 * DAY);
        }
    }

    @Test
    void withoutCheckoutsTheTasteIsTheProfile() {
        float[] profile = unit(new Random(3));
        StudentTaste taste = new StudentTaste();
        taste.profile = profile;
        assertThat(cosine(taste.tasteVector(0.2), profile)).isGreaterThan(0.999999);
        assertThat(taste.recentBookIds).isEmpty();
    }

    @Test
    void weightsAtTheEndsSelectOneSide() {
        Random random = new Random(5);
        float[] profile = unit(random);
        float[] book = unit(random);
        StudentTaste taste = new StudentTaste();
        taste.profile = profile;
        taste.addCheckout(book, "b", 0L, SETTINGS);
        assertThat(cosine(taste.tasteVector(1.0), profile)).isGreaterThan(0.999999);
        assertThat(cosine(taste.tasteVector(0.0), book)).isGreaterThan(0.999999);
    }

    @Test
    void aCheckoutOneHalfLifeOlderCountsHalf() {
        float[] a = basis(0);
        float[] b = basis(1);
        StudentTaste taste = new StudentTaste();
        taste.profile = basis(2);
        taste.addCheckout(a, "a", 0L, SETTINGS);
        taste.addCheckout(b, "b", 10 * DAY, SETTINGS);
        float[] v = taste.tasteVector(0.0);
        // mean = (0.5 a + 1 b) / 1.5, normalised
        assertThat(v[1] / v[0]).isCloseTo(2.0f, org.assertj.core.data.Offset.offset(1e-4f));
        assertThat(taste.weight).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void settingsNameTheOptionToFix() {
        assertThatThrownBy(() -> new TasteSettings(1.5, Duration.ofDays(1), 1, Duration.ofSeconds(1),
                Duration.ofDays(1))).hasMessageContaining("--taste.profile-weight");
        assertThatThrownBy(() -> new TasteSettings(0.5, Duration.ZERO, 1, Duration.ofSeconds(1),
                Duration.ofDays(1))).hasMessageContaining("--taste.half-life");
        assertThatThrownBy(() -> new TasteSettings(0.5, Duration.ofDays(1), -1, Duration.ofSeconds(1),
                Duration.ofDays(1))).hasMessageContaining("--taste.recent-books");
    }

    /**
     * State and records between operators must not fall back to Kryo: Kryo state cannot evolve (fields added in a
     * later version) and is slow on float arrays.
     */
    @Test
    void stateAndStreamTypesAreSerialisedWithoutKryo() {
        assertThat(TypeInformation.of(StudentTaste.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(BookVector.class)).isInstanceOf(PojoTypeInfo.class);
        for (Class<?> type : List.of(StudentTaste.class, BookVector.class, TasteContribution.class,
                PendingCheckout.class, CheckoutChange.class)) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info).as(type.getSimpleName()).isNotInstanceOf(GenericTypeInfo.class);
            assertThat(info.toString()).as(type.getSimpleName()).doesNotContain("GenericType");
        }
    }

    static float[] formula(float[] profile, List<Checkout> checkouts, double a, double halfLifeMillis) {
        long latest = checkouts.stream().mapToLong(Checkout::at).max().orElseThrow();
        double[] mean = new double[DIM];
        double weights = 0;
        for (Checkout c : checkouts) {
            double w = Math.pow(2, -(latest - c.at()) / halfLifeMillis);
            weights += w;
            for (int i = 0; i < DIM; i++) {
                mean[i] += w * c.vector()[i];
            }
        }
        float[] out = new float[DIM];
        double n = 0;
        double[] v = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = a * profile[i] + (1 - a) * mean[i] / weights;
            n += v[i] * v[i];
        }
        for (int i = 0; i < DIM; i++) {
            out[i] = (float) (v[i] / Math.sqrt(n));
        }
        return out;
    }

    static float[] unit(Random random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
        }
        double n = norm(v);
        for (int i = 0; i < DIM; i++) {
            v[i] /= (float) n;
        }
        return v;
    }

    static float[] basis(int i) {
        float[] v = new float[DIM];
        v[i] = 1f;
        return v;
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }
}
