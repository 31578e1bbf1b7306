package io.shelfstream.connectors.qdrant.internal;

import java.util.List;
import java.util.Map;

import com.google.protobuf.CodedOutputStream;
import io.qdrant.client.VectorFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.shelfstream.connectors.qdrant.PointWrite;

/** Builds Qdrant requests from {@link PointWrite}s, tells their size on the wire, and reads vectors back. */
public final class PointStructs {

    /** Bytes a request spends on its own fields (collection name, wait flag, framing) beyond its points. */
    static final int REQUEST_OVERHEAD_BYTES = 64;

    private PointStructs() {
    }

    /** The whole point of an upsert, with its vector under {@code vectorName}; ids must be canonical. */
    public static PointStruct toPointStruct(PointWrite write, String vectorName) {
        return PointStruct.newBuilder()
                .setId(PointIds.toPointId(write.pointId()))
                .setVectors(VectorsFactory.namedVectors(Map.of(vectorName, VectorFactory.vector(write.vector()))))
                .putAllPayload(Payloads.fromJson(write.payloadJson()))
                .build();
    }

    /** Bytes a request spends beyond its points. */
    public static int requestOverheadBytes() {
        return REQUEST_OVERHEAD_BYTES;
    }

    /** Bytes the smallest upsert of a point with a vector of this name and size adds to a request. */
    public static long smallestUpsertBytes(String vectorName, int vectorSize) {
        PointWrite empty = new PointWrite("c", "00000000-0000-0000-0000-000000000000", false,
                new float[vectorSize], "{}");
        return upsertBytes(toPointStruct(empty, vectorName));
    }

    /** Bytes one point adds to an upsert request, framing included. */
    static long upsertBytes(PointStruct point) {
        int size = point.getSerializedSize();
        return 1L + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    /** Bytes one id adds to a delete request, framing included. */
    static long deleteBytes(PointId id) {
        int size = id.getSerializedSize();
        return 1L + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    /** An upsert of whole points. */
    public static UpsertPoints upsertRequest(String collection, List<PointStruct> points, boolean wait) {
        return UpsertPoints.newBuilder().setCollectionName(collection).setWait(wait).addAllPoints(points).build();
    }

    /** A delete by ids. */
    public static DeletePoints deleteRequest(String collection, List<PointId> ids, boolean wait) {
        return DeletePoints.newBuilder().setCollectionName(collection).setWait(wait)
                .setPoints(PointsSelector.newBuilder().setPoints(PointsIdsList.newBuilder().addAllIds(ids)))
                .build();
    }

    /**
     * The dense vector named {@code vectorName} of a point read back from Qdrant (the single unnamed vector when the
     * point has no named ones), or {@code null} when the point carries none.
     */
    @SuppressWarnings("deprecation") // servers before Qdrant 1.18 answer with the flat data field
    public static List<Float> denseVector(RetrievedPoint point, String vectorName) {
        if (!point.hasVectors()) {
            return null;
        }
        VectorOutput v = point.getVectors().hasVectors()
                ? point.getVectors().getVectors().getVectorsMap().get(vectorName)
                : point.getVectors().getVector();
        if (v == null) {
            return null;
        }
        List<Float> data = v.hasDense() ? v.getDense().getDataList() : v.getDataList();
        return data.isEmpty() ? null : data;
    }
}
