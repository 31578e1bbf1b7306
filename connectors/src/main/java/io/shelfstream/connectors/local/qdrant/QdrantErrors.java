package io.shelfstream.connectors.local.qdrant;

import java.util.List;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Builds the gRPC errors a real Qdrant returns, with the same status codes and message prefixes.
 *
 * <p>Qdrant maps its storage errors to tonic statuses with fixed prefixes ("Wrong input: ", "Not found: ",
 * "Bad request: "); request validation errors read "Validation error in body: [field: reason]".
 * Prefixes: lib/storage/src/content_manager/errors.rs ({@code StorageError}); status codes:
 * lib/storage/src/content_manager/conversions.rs ({@code From<StorageError> for Status}), where AlreadyExists
 * maps to ALREADY_EXISTS but keeps the "Wrong input: " prefix.
 */
final class QdrantErrors {

    private QdrantErrors() {
    }

    /** NOT_FOUND for a collection (or alias) name that resolves to nothing. */
    static StatusRuntimeException collectionNotFound(String name) {
        return notFound("Collection `" + name + "` doesn't exist!");
    }

    /** ALREADY_EXISTS when creating a collection whose name is taken. */
    static StatusRuntimeException collectionAlreadyExists(String name) {
        return Status.ALREADY_EXISTS
                .withDescription("Wrong input: Collection `" + name + "` already exists!")
                .asRuntimeException();
    }

    /** NOT_FOUND for a point id that an operation requires to exist. */
    static StatusRuntimeException pointNotFound(PointKey id) {
        return notFound("No point with id " + id + " found");
    }

    static StatusRuntimeException notFound(String description) {
        return Status.NOT_FOUND.withDescription("Not found: " + description).asRuntimeException();
    }

    /** INVALID_ARGUMENT with Qdrant's "Wrong input: " prefix (storage-level bad input). */
    static StatusRuntimeException badInput(String description) {
        return Status.INVALID_ARGUMENT.withDescription("Wrong input: " + description).asRuntimeException();
    }

    /** INVALID_ARGUMENT with Qdrant's "Bad request: " prefix. */
    static StatusRuntimeException badRequest(String description) {
        return Status.INVALID_ARGUMENT.withDescription("Bad request: " + description).asRuntimeException();
    }

    /** INVALID_ARGUMENT without a prefix, as Qdrant's gRPC conversion layer reports it. */
    static StatusRuntimeException invalidArgument(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }

    /** INVALID_ARGUMENT in the shape of Qdrant's request validation: {@code [field: reason; ...]}. */
    static StatusRuntimeException validation(List<String> fieldErrors) {
        return Status.INVALID_ARGUMENT
                .withDescription("Validation error in body: [" + String.join("; ", fieldErrors) + "]")
                .asRuntimeException();
    }

    static StatusRuntimeException validation(String field, String reason) {
        return validation(List.of(field + ": " + reason));
    }

    /** UNIMPLEMENTED naming the request shape this in-process server does not support. */
    static StatusRuntimeException unsupported(String what) {
        return Status.UNIMPLEMENTED
                .withDescription("LocalQdrantServer does not support " + what
                        + "; use a real Qdrant (QDRANT_URL) for this request")
                .asRuntimeException();
    }
}
