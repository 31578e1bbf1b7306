package io.shelfstream.connectors.testutils;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;

/** Reads every point of a collection back, for assertions on what a sink wrote. */
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
}
