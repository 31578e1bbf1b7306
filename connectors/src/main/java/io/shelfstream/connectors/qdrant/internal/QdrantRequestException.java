package io.shelfstream.connectors.qdrant.internal;

import java.io.IOException;

import io.grpc.Status;

/**
 * A Qdrant request that failed for good: either a permanent error, or a transient one that outlasted the retries.
 * The message names what failed, Qdrant's status and, where known, the point and what to fix.
 */
public final class QdrantRequestException extends IOException {

    private static final long serialVersionUID = 1L;

    private final Status.Code code;

    QdrantRequestException(String message, Status.Code code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** Qdrant's gRPC status code. */
    public Status.Code code() {
        return code;
    }

    /** Whether the error is transient, so the same request may succeed later. */
    public boolean isRetryable() {
        return Retrier.isRetryable(code);
    }
}
