package io.shelfstream.connectors.qdrant.internal;

import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.UpsertPoints;

/**
 * The Qdrant calls the sink makes, one blocking call each.
 *
 * <p>Every method either returns, throws {@link StatusRuntimeException} with Qdrant's status (a deadline that
 * passes reads DEADLINE_EXCEEDED), or throws {@link InterruptedException} when the calling thread is interrupted.
 * Tests substitute a fake; production uses {@link GrpcQdrantGateway}.
 */
public interface QdrantGateway extends AutoCloseable {

    /** Whether a collection or alias of this name exists. */
    boolean collectionExists(String collection) throws InterruptedException;

    /** The configuration and payload schema of a collection. */
    CollectionInfo collectionInfo(String collection) throws InterruptedException;

    /** Creates a collection with one named dense vector and Cosine distance. */
    void createCollection(String collection, String vectorName, int vectorSize) throws InterruptedException;

    /** Creates a payload index and waits until it is built. */
    void createPayloadIndex(String collection, String field, PayloadSchemaType type) throws InterruptedException;

    /** Upserts whole points. */
    void upsert(UpsertPoints request) throws InterruptedException;

    /** Deletes points. */
    void delete(DeletePoints request) throws InterruptedException;

    /** Releases the connection. */
    @Override
    void close();
}
