package io.shelfstream.connectors.lookup;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.shelfstream.connectors.types.SerializerTypeInfo;

/**
 * Flink type information for {@link CatalogRow}, so rows travel between operators with a dedicated serializer
 * instead of Kryo (which cannot rebuild the row's unmodifiable map and lists).
 *
 * <p>Values are written with a one-byte tag: null, text, the integer and decimal types, booleans, instants, dates,
 * UUIDs and lists of these, which covers what the PostgreSQL driver returns for catalog columns after
 * {@link CatalogRow}'s conversions. Any other value fails with a message naming its field and type.
 */
public final class CatalogRowTypeInfo extends SerializerTypeInfo<CatalogRow> {

    private static final long serialVersionUID = 1L;

    /** The one instance. */
    public static final CatalogRowTypeInfo INSTANCE = new CatalogRowTypeInfo();

    private CatalogRowTypeInfo() {
        super(CatalogRow.class, Serializer.INSTANCE);
    }

    /** The serializer: id, field count, then each field's name and tagged value. */
    public static final class Serializer extends TypeSerializerSingleton<CatalogRow> {

        private static final long serialVersionUID = 1L;

        /** The one instance. */
        public static final Serializer INSTANCE = new Serializer();

        private static final byte NULL = 0;
        private static final byte TEXT = 1;
        private static final byte LONG = 2;
        private static final byte INT = 3;
        private static final byte SHORT = 4;
        private static final byte DOUBLE = 5;
        private static final byte FLOAT = 6;
        private static final byte BOOLEAN = 7;
        private static final byte DECIMAL = 8;
        private static final byte INSTANT = 9;
        private static final byte DATE = 10;
        private static final byte UUID_VALUE = 11;
        private static final byte LIST = 12;

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public CatalogRow createInstance() {
            return new CatalogRow("", Map.of());
        }

        @Override
        public CatalogRow copy(CatalogRow from) {
            return from;
        }

        @Override
        public CatalogRow copy(CatalogRow from, CatalogRow reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(CatalogRow row, DataOutputView out) throws IOException {
            out.writeUTF(row.id());
            Map<String, Object> fields = row.asMap();
            out.writeInt(fields.size());
            for (Map.Entry<String, Object> field : fields.entrySet()) {
                out.writeUTF(field.getKey());
                writeValue(field.getKey(), field.getValue(), out);
            }
        }

        private static void writeValue(String field, Object value, DataOutputView out) throws IOException {
            if (value == null) {
                out.writeByte(NULL);
            } else if (value instanceof String s) {
                out.writeByte(TEXT);
                // writeUTF is limited to 64 KB; descriptions may be longer
                byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(bytes.length);
                out.write(bytes);
            } else if (value instanceof Long l) {
                out.writeByte(LONG);
                out.writeLong(l);
            } else if (value instanceof Integer i) {
                out.writeByte(INT);
                out.writeInt(i);
            } else if (value instanceof Short s) {
                out.writeByte(SHORT);
                out.writeShort(s);
            } else if (value instanceof Double d) {
                out.writeByte(DOUBLE);
                out.writeDouble(d);
            } else if (value instanceof Float f) {
                out.writeByte(FLOAT);
                out.writeFloat(f);
            } else if (value instanceof Boolean b) {
                out.writeByte(BOOLEAN);
                out.writeBoolean(b);
            } else if (value instanceof BigDecimal d) {
                out.writeByte(DECIMAL);
                out.writeUTF(d.toString());
            } else if (value instanceof Instant t) {
                out.writeByte(INSTANT);
                out.writeLong(t.getEpochSecond());
                out.writeInt(t.getNano());
            } else if (value instanceof LocalDate d) {
                out.writeByte(DATE);
                out.writeLong(d.toEpochDay());
            } else if (value instanceof UUID u) {
                out.writeByte(UUID_VALUE);
                out.writeLong(u.getMostSignificantBits());
                out.writeLong(u.getLeastSignificantBits());
            } else if (value instanceof List<?> list) {
                out.writeByte(LIST);
                out.writeInt(list.size());
                for (Object element : list) {
                    writeValue(field, element, out);
                }
            } else {
                throw new IOException("Catalog field '" + field + "' holds a " + value.getClass().getName()
                        + ", which CatalogRowTypeInfo cannot serialize; select the column as text "
                        + "(e.g. a view with column::text)");
            }
        }

        @Override
        public CatalogRow deserialize(DataInputView in) throws IOException {
            String id = in.readUTF();
            int size = in.readInt();
            Map<String, Object> fields = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                String name = in.readUTF();
                fields.put(name, readValue(in));
            }
            return new CatalogRow(id, fields);
        }

        private static Object readValue(DataInputView in) throws IOException {
            byte tag = in.readByte();
            switch (tag) {
                case NULL:
                    return null;
                case TEXT: {
                    byte[] bytes = new byte[in.readInt()];
                    in.readFully(bytes);
                    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
                }
                case LONG:
                    return in.readLong();
                case INT:
                    return in.readInt();
                case SHORT:
                    return in.readShort();
                case DOUBLE:
                    return in.readDouble();
                case FLOAT:
                    return in.readFloat();
                case BOOLEAN:
                    return in.readBoolean();
                case DECIMAL:
                    return new BigDecimal(in.readUTF());
                case INSTANT:
                    return Instant.ofEpochSecond(in.readLong(), in.readInt());
                case DATE:
                    return LocalDate.ofEpochDay(in.readLong());
                case UUID_VALUE:
                    return new UUID(in.readLong(), in.readLong());
                case LIST: {
                    int n = in.readInt();
                    List<Object> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add(readValue(in));
                    }
                    return Collections.unmodifiableList(list);
                }
                default:
                    throw new IOException("Corrupt CatalogRow value tag " + tag);
            }
        }

        @Override
        public CatalogRow deserialize(CatalogRow reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public TypeSerializerSnapshot<CatalogRow> snapshotConfiguration() {
            return new SerializerSnapshot();
        }
    }

    /** Snapshot of the stateless serializer; version 1 is the format above. */
    public static final class SerializerSnapshot extends SimpleTypeSerializerSnapshot<CatalogRow> {

        /** Used by Flink when restoring. */
        public SerializerSnapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}
