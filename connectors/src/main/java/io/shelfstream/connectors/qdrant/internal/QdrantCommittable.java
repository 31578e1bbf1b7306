package io.shelfstream.connectors.qdrant.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.shelfstream.connectors.qdrant.PointWrite;

/**
 * One Qdrant request's worth of changes that a checkpoint made final: whole-point upserts, or deletes, of points
 * of one collection, each point at most once.
 *
 * <p>The writer compacts a checkpoint's writes per point before it cuts them into committables, so the points of
 * all committables of one checkpoint and writer are disjoint and their order does not matter. Applying a
 * committable again leaves Qdrant as applying it once. Point ids are canonical (see {@link PointIds}).
 */
public final class QdrantCommittable {

    private final String collection;
    private final boolean delete;
    private final List<PointWrite> writes;

    private QdrantCommittable(String collection, boolean delete, List<PointWrite> writes) {
        this.collection = Objects.requireNonNull(collection, "collection");
        this.delete = delete;
        this.writes = List.copyOf(writes);
        if (this.writes.isEmpty()) {
            throw new IllegalArgumentException("a committable holds at least one point");
        }
        for (PointWrite w : this.writes) {
            if (w.delete() != delete || !w.collection().equals(collection)) {
                throw new IllegalArgumentException("point " + w.pointId() + " does not belong to " + this);
            }
        }
    }

    /** Upserts of whole points into {@code collection}. */
    public static QdrantCommittable upserts(String collection, List<PointWrite> writes) {
        return new QdrantCommittable(collection, false, writes);
    }

    /** Deletes of points from {@code collection}. */
    public static QdrantCommittable deletes(String collection, List<PointWrite> writes) {
        return new QdrantCommittable(collection, true, writes);
    }

    /** The target collection (or alias). */
    public String collection() {
        return collection;
    }

    /** True for deletes, false for upserts. */
    public boolean isDelete() {
        return delete;
    }

    /** The changes, one per point. */
    public List<PointWrite> writes() {
        return writes;
    }

    /** Number of points. */
    public int size() {
        return writes.size();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QdrantCommittable)) {
            return false;
        }
        QdrantCommittable that = (QdrantCommittable) o;
        if (delete != that.delete || !collection.equals(that.collection) || writes.size() != that.writes.size()) {
            return false;
        }
        for (int i = 0; i < writes.size(); i++) {
            PointWrite a = writes.get(i);
            PointWrite b = that.writes.get(i);
            if (!a.pointId().equals(b.pointId()) || !Arrays.equals(a.vector(), b.vector())
                    || !Objects.equals(a.payloadJson(), b.payloadJson())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(collection, delete, writes.size(), writes.get(0).pointId());
    }

    /** A short description; never the vectors or payloads, as Flink puts this into error messages. */
    @Override
    public String toString() {
        return (delete ? "delete of " : "upsert of ") + writes.size() + " point(s) in collection '" + collection
                + "' (first " + writes.get(0).pointId() + ")";
    }
}
