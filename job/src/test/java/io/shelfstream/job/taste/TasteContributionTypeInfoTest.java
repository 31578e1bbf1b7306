package io.shelfstream.job.taste;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class TasteContributionTypeInfoTest {

    private final TypeSerializer<TasteContribution> serializer =
            TasteContributionTypeInfo.INSTANCE.createSerializer(new SerializerConfigImpl());

    @Test
    void roundTripsEveryFieldAndEveryFloatBitForBit() throws Exception {
        float[] vector = new float[384];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = (float) Math.sin(i) / (i + 1);
        }
        vector[7] = -0.0f;
        vector[8] = Float.MIN_VALUE;
        TasteContribution c = new TasteContribution("s-\u00e9l\u00e8ve-1", "b-\ud83d\udcda", 1_700_000_000_123L, vector);

        TasteContribution back = roundTrip(c);

        assertThat(back.studentId()).isEqualTo(c.studentId());
        assertThat(back.bookId()).isEqualTo(c.bookId());
        assertThat(back.occurredAtMillis()).isEqualTo(c.occurredAtMillis());
        assertThat(back.vector()).hasSize(384);
        for (int i = 0; i < vector.length; i++) {
            assertThat(Float.floatToRawIntBits(back.vector()[i])).isEqualTo(Float.floatToRawIntBits(vector[i]));
        }
    }

    @Test
    void roundTripsAnEmptyAndAMissingVector() throws Exception {
        assertThat(roundTrip(new TasteContribution("s", "b", 0L, new float[0])).vector()).isEmpty();
        assertThat(roundTrip(new TasteContribution("s", "b", 0L, null)).vector()).isNull();
    }

    @Test
    void aCopyDoesNotShareTheVector() {
        float[] vector = {1f, 2f};
        TasteContribution copy = serializer.copy(new TasteContribution("s", "b", 1L, vector));

        vector[0] = 9f;

        assertThat(copy.vector()).containsExactly(1f, 2f);
    }

    @Test
    void isTheTypeOfTheJoinsSideOutput() {
        assertThat(BookCheckoutJoinOperator.TASTE_CONTRIBUTIONS.getTypeInfo())
                .isSameAs(TasteContributionTypeInfo.INSTANCE);
    }

    private TasteContribution roundTrip(TasteContribution c) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(c, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        TasteContribution back = serializer.deserialize(in);
        assertThat(in.available()).isZero();
        return back;
    }
}
