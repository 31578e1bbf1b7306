package io.shelfstream.connectors.qdrant.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.shelfstream.connectors.qdrant.QdrantEndpoint;

/** {@link QdrantGateway} over the official Java client (gRPC), every call bounded by the request timeout. */
public final class GrpcQdrantGateway implements QdrantGateway {

    private final QdrantClient client;
    private final Duration timeout;

    private GrpcQdrantGateway(QdrantClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** Connects to {@code endpoint}; the channel connects lazily, so this does not fail when Qdrant is down. */
    public static GrpcQdrantGateway connect(QdrantEndpoint endpoint, Duration requestTimeout) {
        return new GrpcQdrantGateway(endpoint.newClient(requestTimeout), requestTimeout);
    }

    @Override
    public boolean collectionExists(String collection) throws InterruptedException {
        return await(client.collectionExistsAsync(collection, timeout));
    }

    @Override
    public CollectionInfo collectionInfo(String collection) throws InterruptedException {
        return await(client.getCollectionInfoAsync(collection, timeout));
    }

    @Override
    public void createCollection(String collection, String vectorName, int vectorSize) throws InterruptedException {
        VectorParams params = VectorParams.newBuilder().setSize(vectorSize).setDistance(Distance.Cosine).build();
        await(client.createCollectionAsync(collection, Map.of(vectorName, params), timeout));
    }

    @Override
    public void createPayloadIndex(String collection, String field, PayloadSchemaType type)
            throws InterruptedException {
        await(client.createPayloadIndexAsync(collection, field, type, null, true, null, timeout));
    }

    @Override
    public void upsert(UpsertPoints request) throws InterruptedException {
        await(client.upsertAsync(request, timeout));
    }

    @Override
    public void delete(DeletePoints request) throws InterruptedException {
        await(client.deleteAsync(request, timeout));
    }

    private <T> T await(Future<T> future) throws InterruptedException {
        try {
            // The call carries its own deadline; the extra second only guards against a lost completion.
            return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw Status.DEADLINE_EXCEEDED.withDescription("no reply from Qdrant within " + timeout)
                    .asRuntimeException();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StatusRuntimeException) {
                throw (StatusRuntimeException) cause;
            }
            throw Status.fromThrowable(cause).withCause(cause).asRuntimeException();
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
