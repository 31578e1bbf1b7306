package io.shelfstream.connectors.qdrant;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;

/**
 * Where a Qdrant gRPC endpoint is and how to reach it: host, port (6334 by default), TLS and API key.
 *
 * <pre>{@code
 * QdrantEndpoint endpoint = QdrantEndpoint.parse("http://localhost:6334");
 * try (QdrantClient client = endpoint.newClient()) { ... }
 * }</pre>
 */
public record QdrantEndpoint(String host, int port, boolean tls, String apiKey) implements Serializable {

    /** Qdrant's default gRPC port. */
    public static final int DEFAULT_GRPC_PORT = 6334;

    public QdrantEndpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("Qdrant host must not be blank");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("Qdrant port must be in 1..65535, got " + port);
        }
    }

    /** A plaintext endpoint without API key. */
    public static QdrantEndpoint of(String host, int port) {
        return new QdrantEndpoint(host, port, false, null);
    }

    /**
     * Parses {@code http://host:port} or {@code https://host:port} (TLS); a missing port means 6334.
     * The gRPC port is meant, not the REST port 6333.
     */
    public static QdrantEndpoint parse(String url) {
        URI uri = URI.create(url.contains("://") ? url : "http://" + url);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("Not a Qdrant URL (expected http[s]://host[:port]): " + url);
        }
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_GRPC_PORT;
        return new QdrantEndpoint(uri.getHost(), port, tls, null);
    }

    /** The same endpoint with an API key. */
    public QdrantEndpoint withApiKey(String key) {
        return new QdrantEndpoint(host, port, tls, key);
    }

    /** A new client for this endpoint with a 30 s deadline per call; the caller closes it. */
    public QdrantClient newClient() {
        return newClient(Duration.ofSeconds(30), true);
    }

    /**
     * A new client for this endpoint with the given deadline per call and no client-server version check (which
     * would cost a blocking call before the first request); the caller closes it.
     */
    public QdrantClient newClient(Duration callTimeout) {
        return newClient(callTimeout, false);
    }

    private QdrantClient newClient(Duration callTimeout, boolean checkCompatibility) {
        QdrantGrpcClient.Builder builder = QdrantGrpcClient.newBuilder(host, port, tls, checkCompatibility)
                .withTimeout(callTimeout);
        if (apiKey != null && !apiKey.isEmpty()) {
            builder.withApiKey(apiKey);
        }
        return new QdrantClient(builder.build());
    }

    @Override
    public String toString() {
        return (tls ? "https://" : "http://") + host + ":" + port + (apiKey == null ? "" : " (api key set)");
    }
}
