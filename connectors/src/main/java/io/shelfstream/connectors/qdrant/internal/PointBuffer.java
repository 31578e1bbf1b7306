package io.shelfstream.connectors.qdrant.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.shelfstream.connectors.qdrant.PointWrite;

/**
 * The writes a writer holds until they are sent (or, exactly-once, until the next checkpoint barrier), compacted
 * per point: the last write of a (collection, point id) wins, whether upsert or delete.
 *
 * <p>{@link #drain()} cuts the buffer into {@link QdrantCommittable}s of one collection and one kind each, within
 * the point and byte limits of one request. As every point appears once, the committables are disjoint and can be
 * applied in any order. Writes are validated on entry, so a bad record fails where it arrives, with its point id.
 */
public final class PointBuffer {

    private final SinkSettings settings;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long bytes;

    public PointBuffer(SinkSettings settings) {
        this.settings = settings;
    }

    private record Entry(PointWrite write, long bytes) {
    }

    /**
     * Adds a write, replacing an earlier write of the same point.
     *
     * @throws IllegalArgumentException if the write cannot be sent: unknown collection, bad id, vector of another
     *         size, payload that is not a JSON object, or a point larger than one request may be
     */
    public void add(PointWrite write) {
        if (!settings.collections().containsKey(write.collection())) {
            throw new IllegalArgumentException("point " + write.pointId() + " is routed to collection '"
                    + write.collection() + "', which the Qdrant sink was not given. Add .addCollection(\""
                    + write.collection() + "\", filterFields) to its builder; configured: "
                    + settings.collections().keySet());
        }
        String id = PointIds.canonical(write.pointId());
        PointWrite canonical = id.equals(write.pointId()) ? write
                : new PointWrite(write.collection(), id, write.delete(), write.vector(), write.payloadJson());
        long size;
        if (canonical.delete()) {
            size = PointStructs.deleteBytes(PointIds.toPointId(id));
        } else {
            if (canonical.vector().length != settings.vectorSize()) {
                throw new IllegalArgumentException("point " + id + " in collection '" + canonical.collection()
                        + "' has a vector of " + canonical.vector().length + " dimensions, but the sink writes "
                        + settings.vectorSize() + " (setVectorSize). Fix the producer of the vector or the sink.");
            }
            try {
                size = PointStructs.upsertBytes(PointStructs.toPointStruct(canonical, settings.vectorName()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("point " + id + " in collection '" + canonical.collection()
                        + "': " + e.getMessage(), e);
            }
            long limit = settings.maxBatchBytes() - PointStructs.REQUEST_OVERHEAD_BYTES;
            if (size > limit) {
                throw new IllegalArgumentException("point " + id + " in collection '" + canonical.collection()
                        + "' takes " + size + " bytes on the wire, more than one request may carry ("
                        + settings.maxBatchBytes() + " bytes, setMaxBatchBytes). Shrink its payload or raise "
                        + "setMaxBatchBytes (at most 32 MiB, Qdrant's request limit).");
            }
        }
        Entry previous = entries.put(canonical.collection() + '\u0000' + id, new Entry(canonical, size));
        bytes += size - (previous == null ? 0 : previous.bytes);
    }

    /** Number of distinct points held. */
    public int size() {
        return entries.size();
    }

    /** Estimated request bytes of the points held. */
    public long bytes() {
        return bytes;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Whether the points held fill at least one request. */
    public boolean isFull() {
        return entries.size() >= settings.maxBatchPoints()
                || bytes + PointStructs.REQUEST_OVERHEAD_BYTES >= settings.maxBatchBytes();
    }

    /** Cuts everything held into request-sized committables and empties the buffer. */
    public List<QdrantCommittable> drain() {
        Map<String, List<Entry>> upserts = new LinkedHashMap<>();
        Map<String, List<Entry>> deletes = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            (e.write.delete() ? deletes : upserts).computeIfAbsent(e.write.collection(), c -> new ArrayList<>())
                    .add(e);
        }
        List<QdrantCommittable> out = new ArrayList<>();
        upserts.forEach((collection, list) -> cut(collection, false, list, out));
        deletes.forEach((collection, list) -> cut(collection, true, list, out));
        entries.clear();
        bytes = 0;
        return out;
    }

    private void cut(String collection, boolean delete, List<Entry> list, List<QdrantCommittable> out) {
        List<PointWrite> chunk = new ArrayList<>();
        long chunkBytes = PointStructs.REQUEST_OVERHEAD_BYTES;
        for (Entry e : list) {
            if (!chunk.isEmpty() && (chunk.size() >= settings.maxBatchPoints()
                    || chunkBytes + e.bytes > settings.maxBatchBytes())) {
                out.add(committable(collection, delete, chunk));
                chunk = new ArrayList<>();
                chunkBytes = PointStructs.REQUEST_OVERHEAD_BYTES;
            }
            chunk.add(e.write);
            chunkBytes += e.bytes;
        }
        if (!chunk.isEmpty()) {
            out.add(committable(collection, delete, chunk));
        }
    }

    private static QdrantCommittable committable(String collection, boolean delete, List<PointWrite> chunk) {
        return delete ? QdrantCommittable.deletes(collection, chunk) : QdrantCommittable.upserts(collection, chunk);
    }
}
