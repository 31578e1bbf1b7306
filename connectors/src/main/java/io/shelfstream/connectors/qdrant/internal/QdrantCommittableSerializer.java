package io.shelfstream.connectors.qdrant.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import io.shelfstream.connectors.qdrant.PointWrite;

/**
 * Writes {@link QdrantCommittable}s into checkpoints and savepoints, and reads them back on restore.
 *
 * <p>Format version 1, big-endian:
 * <pre>
 * collection   : int length, UTF-8 bytes
 * kind         : byte, 0 = upsert, 1 = delete
 * count        : int
 * count times  : point id (int length, UTF-8 bytes, canonical)
 *                upserts only: dimension (int), that many IEEE-754 floats (4 bytes each, raw bits),
 *                              payload JSON (int length, UTF-8 bytes)
 * </pre>
 * A changed format gets a new version number; {@link #deserialize} keeps reading every older version, so a job
 * restores from savepoints of earlier releases. Unknown versions and trailing bytes fail the restore.
 */
public final class QdrantCommittableSerializer implements SimpleVersionedSerializer<QdrantCommittable> {

    /** The version this build writes. */
    public static final int VERSION = 1;

    private static final byte UPSERT = 0;
    private static final byte DELETE = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(QdrantCommittable committable) throws IOException {
        int estimate = 64;
        for (PointWrite w : committable.writes()) {
            estimate += 48 + (w.delete() ? 0 : 4 * w.vector().length + 2 * w.payloadJson().length());
        }
        DataOutputSerializer out = new DataOutputSerializer(estimate);
        writeString(out, committable.collection());
        out.writeByte(committable.isDelete() ? DELETE : UPSERT);
        out.writeInt(committable.size());
        for (PointWrite w : committable.writes()) {
            writeString(out, w.pointId());
            if (!committable.isDelete()) {
                float[] v = w.vector();
                out.writeInt(v.length);
                for (float f : v) {
                    out.writeFloat(f);
                }
                writeString(out, w.payloadJson());
            }
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public QdrantCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("Cannot read a Qdrant sink committable of format version " + version
                    + "; this build reads version " + VERSION + ". Restore the checkpoint or savepoint with the "
                    + "release of the job that took it.");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        String collection = readString(in);
        byte kind = in.readByte();
        if (kind != UPSERT && kind != DELETE) {
            throw new IOException("Corrupt Qdrant sink committable: unknown kind " + kind);
        }
        boolean delete = kind == DELETE;
        int count = in.readInt();
        if (count <= 0 || count > serialized.length) {
            throw new IOException("Corrupt Qdrant sink committable: " + count + " points");
        }
        List<PointWrite> writes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = readString(in);
            if (delete) {
                writes.add(new PointWrite(collection, id, true, null, null));
            } else {
                int dims = in.readInt();
                if (dims < 0 || dims > in.available() / 4) {
                    throw new IOException("Corrupt Qdrant sink committable: vector of " + dims + " dimensions");
                }
                float[] vector = new float[dims];
                for (int d = 0; d < dims; d++) {
                    vector[d] = in.readFloat();
                }
                writes.add(new PointWrite(collection, id, false, vector, readString(in)));
            }
        }
        if (in.available() > 0) {
            throw new IOException("Corrupt Qdrant sink committable: " + in.available() + " trailing bytes");
        }
        return delete ? QdrantCommittable.deletes(collection, writes) : QdrantCommittable.upserts(collection, writes);
    }

    private static void writeString(DataOutputSerializer out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputDeserializer in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("Corrupt Qdrant sink committable: string of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
