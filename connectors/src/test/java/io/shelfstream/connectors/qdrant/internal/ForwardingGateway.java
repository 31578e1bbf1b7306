package io.shelfstream.connectors.qdrant.internal;

import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.UpsertPoints;

/** A gateway that passes every call to another one; tests override a method to act between two calls. */
class ForwardingGateway implements QdrantGateway {

    private final QdrantGateway delegate;

    ForwardingGateway(QdrantGateway delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean collectionExists(String collection) throws InterruptedException {
        return delegate.collectionExists(collection);
    }

    @Override
    public CollectionInfo collectionInfo(String collection) throws InterruptedException {
        return delegate.collectionInfo(collection);
    }

    @Override
    public void createCollection(String collection, String vectorName, int vectorSize) throws InterruptedException {
        delegate.createCollection(collection, vectorName, vectorSize);
    }

    @Override
    public void createPayloadIndex(String collection, String field, PayloadSchemaType type)
            throws InterruptedException {
        delegate.createPayloadIndex(collection, field, type);
    }

    @Override
    public void upsert(UpsertPoints request) throws InterruptedException {
        delegate.upsert(request);
    }

    @Override
    public void delete(DeletePoints request) throws InterruptedException {
        delegate.delete(request);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
