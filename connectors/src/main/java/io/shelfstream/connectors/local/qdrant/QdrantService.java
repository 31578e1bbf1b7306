package io.shelfstream.connectors.local.qdrant;

import grpc.health.v1.HealthCheck.HealthCheckResponse;
import grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;

/** Qdrant's {@code qdrant.Qdrant/HealthCheck}, which the Java client also calls to compare versions. */
final class QdrantService extends QdrantGrpc.QdrantImplBase {

    /** The Qdrant release whose behaviour this server follows; the client warns if its minor differs by 2+. */
    static final String EMULATED_VERSION = "1.19.0";
    /** The title Qdrant reports. */
    static final String TITLE = "qdrant - vector search engine";

    @Override
    public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckReply> observer) {
        Rpc.respond(observer, "Qdrant/HealthCheck",
                () -> HealthCheckReply.newBuilder().setTitle(TITLE).setVersion(EMULATED_VERSION).build());
    }

    /** The standard {@code grpc.health.v1.Health} check Qdrant also serves: SERVING while running. */
    static final class Health extends HealthGrpc.HealthImplBase {
        @Override
        public void check(grpc.health.v1.HealthCheck.HealthCheckRequest request,
                StreamObserver<HealthCheckResponse> observer) {
            Rpc.respond(observer, "Health/Check", () -> HealthCheckResponse.newBuilder()
                    .setStatus(HealthCheckResponse.ServingStatus.SERVING)
                    .build());
        }
    }
}
