package io.shelfstream.connectors.testutils;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.shelfstream.connectors.qdrant.internal.PointStructs;

/** Reads points back from Qdrant, for assertions on what a sink wrote. */
public final class QdrantPoints {

    private QdrantPoints() {
    }

    /** All points of {@code collection} by canonical id, with payload and vectors. */
    public static Map<String, RetrievedPoint> scrollAll(QdrantClient client, String collection) throws Exception {
        Map<String, RetrievedPoint> out = new LinkedHashMap<>();
        ScrollPoints.Builder request = ScrollPoints.newBuilder().setCollectionName(collection).setLimit(1000)
                .setWithPayload(WithPayloadSelectorFactory.enable(true))
                .setWithVectors(WithVectorsSelectorFactory.enable(true));
        while (true) {
            ScrollResponse page = client.scrollAsync(request.build()).get(30, TimeUnit.SECONDS);
            for (RetrievedPoint p : page.getResultList()) {
                out.put(FakeQdrantGateway.idOf(p.getId()), p);
            }
            if (!page.hasNextPageOffset()) {
                return out;
            }
            request.setOffset(page.getNextPageOffset());
        }
    }

    /** The named dense vector of a point as floats; fails when the point has none by that name. */
    public static float[] vector(RetrievedPoint point, String vectorName) {
        List<Float> data = PointStructs.denseVector(point, vectorName);
        if (data == null) {
            throw new AssertionError("point " + point.getId() + " has no vector named '" + vectorName + "'");
        }
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i);
        }
        return v;
    }

    /** Cosine similarity of two vectors of the same length. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("vectors of " + a.length + " and " + b.length + " dims");
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
