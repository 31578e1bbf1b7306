package io.shelfstream.connectors.local.qdrant;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/** Runs one unary call: replies with the result, or with the gRPC status the handler raised. */
final class Rpc {

    private static final Logger LOG = LoggerFactory.getLogger(Rpc.class);

    /** Code points Qdrant rejects in new collection names (filesystem-unsafe). */
    private static final String INVALID_NAME_CHARS = "<>:\"/\\|?*\0\u001F";
    /** Code points Qdrant rejects in names of existing collections (the pre-1.5 rule). */
    private static final String INVALID_LEGACY_NAME_CHARS = "/\0";

    private Rpc() {
    }

    static <T> void respond(StreamObserver<T> observer, String method, Supplier<T> handler) {
        T response;
        try {
            response = handler.get();
        } catch (StatusRuntimeException e) {
            LOG.debug("{} failed: {}", method, e.getStatus());
            observer.onError(e);
            return;
        } catch (RuntimeException e) {
            LOG.error("{} failed unexpectedly", method, e);
            observer.onError(Status.INTERNAL.withDescription("Service internal error: " + e).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    /** Seconds since {@code startNanos}, for the {@code time} field of responses. */
    static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Qdrant's validation of a collection name in requests on existing collections. */
    static void checkCollectionName(String name) {
        List<String> errors = new ArrayList<>();
        addCollectionNameErrors(errors, name, INVALID_LEGACY_NAME_CHARS);
        if (!errors.isEmpty()) {
            throw QdrantErrors.validation(errors);
        }
    }

    /** Adds Qdrant's validation errors for a collection name; {@code strict} applies the rule for new names. */
    static void addCollectionNameErrors(List<String> errors, String name, boolean strict) {
        addCollectionNameErrors(errors, name, strict ? INVALID_NAME_CHARS : INVALID_LEGACY_NAME_CHARS);
    }

    private static void addCollectionNameErrors(List<String> errors, String name, String invalidChars) {
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > 255) {
            errors.add("collection_name: value \"" + name + "\" invalid, must be from 1 to 255 characters");
        }
        String bad = firstInvalidChar(name, invalidChars);
        if (bad != null) {
            errors.add("collection_name: collection name cannot contain \"" + bad + "\" char");
        }
    }

    /** Qdrant's rule for vector names: at most 200 bytes, none of the filesystem-unsafe characters. */
    static void addVectorNameErrors(List<String> errors, String field, String name) {
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > 200) {
            errors.add(field + ": vector name must be at most 200 bytes long");
        }
        String bad = firstInvalidChar(name, INVALID_NAME_CHARS);
        if (bad != null) {
            errors.add(field + ": vector name cannot contain \"" + bad + "\" char");
        }
    }

    private static String firstInvalidChar(String name, String invalidChars) {
        for (int i = 0; i < invalidChars.length(); i++) {
            char c = invalidChars.charAt(i);
            if (name.indexOf(c) >= 0) {
                return String.valueOf(c);
            }
        }
        return null;
    }

    /** {@code range(min = 1)} on an optional field, rendered as Qdrant does. */
    static void addAtLeastOneError(List<String> errors, String field, boolean present, long value) {
        // The fields are unsigned on the wire, so zero is the only value below the minimum.
        if (present && value == 0) {
            errors.add(field + ": value 0 invalid, must be 1 or larger");
        }
    }

    static void throwIfAny(List<String> errors) {
        if (!errors.isEmpty()) {
            throw QdrantErrors.validation(errors);
        }
    }
}
