package io.shelfstream.job.taste;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import io.shelfstream.connectors.types.SerializerTypeInfo;

/**
 * Flink type information for {@link TasteContribution}, whose serializer writes the 384-float vector as one block of
 * bytes instead of float by float.
 *
 * <p>Every joined checkout crosses the network once as a contribution (book side to student side), so its
 * serializer runs once per checkout on each side; the POJO path writes and reads each float through
 * {@code writeFloat}/{@code readFloat}, which took about a quarter of the student side's time. Contributions are
 * never kept in state, so the format can change between releases.
 */
public final class TasteContributionTypeInfo extends SerializerTypeInfo<TasteContribution> {

    private static final long serialVersionUID = 1L;

    /** The one instance. */
    public static final TasteContributionTypeInfo INSTANCE = new TasteContributionTypeInfo();

    private TasteContributionTypeInfo() {
        super(TasteContribution.class, Serializer.INSTANCE);
    }

    /** Student id, book id, time, vector length, then the vector's floats as little-endian bytes. */
    public static final class Serializer extends TypeSerializerSingleton<TasteContribution> {

        private static final long serialVersionUID = 1L;

        /** The one instance. */
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public boolean isImmutableType() {
            // records are immutable but the vector array is not: copies must not share it
            return false;
        }

        @Override
        public TasteContribution createInstance() {
            return new TasteContribution("", "", 0L, new float[0]);
        }

        @Override
        public TasteContribution copy(TasteContribution from) {
            return new TasteContribution(from.studentId(), from.bookId(), from.occurredAtMillis(),
                    from.vector() == null ? null : from.vector().clone());
        }

        @Override
        public TasteContribution copy(TasteContribution from, TasteContribution reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(TasteContribution record, DataOutputView out) throws IOException {
            StringValue.writeString(record.studentId(), out);
            StringValue.writeString(record.bookId(), out);
            out.writeLong(record.occurredAtMillis());
            float[] v = record.vector();
            if (v == null) {
                out.writeInt(-1);
                return;
            }
            out.writeInt(v.length);
            byte[] bytes = new byte[v.length * Float.BYTES];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v);
            out.write(bytes);
        }

        @Override
        public TasteContribution deserialize(DataInputView in) throws IOException {
            String studentId = StringValue.readString(in);
            String bookId = StringValue.readString(in);
            long occurredAt = in.readLong();
            int length = in.readInt();
            float[] v = null;
            if (length >= 0) {
                byte[] bytes = new byte[length * Float.BYTES];
                in.readFully(bytes);
                v = new float[length];
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            }
            return new TasteContribution(studentId, bookId, occurredAt, v);
        }

        @Override
        public TasteContribution deserialize(TasteContribution reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public TypeSerializerSnapshot<TasteContribution> snapshotConfiguration() {
            return new SerializerSnapshot();
        }
    }

    /** Snapshot of the stateless serializer; version 1 is the format above. */
    public static final class SerializerSnapshot extends SimpleTypeSerializerSnapshot<TasteContribution> {

        /** Used by Flink when restoring. */
        public SerializerSnapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}
