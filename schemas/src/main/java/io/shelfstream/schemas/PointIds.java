package io.shelfstream.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Deterministic Qdrant point ids: {@code UUIDv5(NAMESPACE, entityType + ":" + entityId)} (RFC 9562, SHA-1).
 *
 * <p>The same entity always lands on the same point, which is what makes re-applied upserts and deletes
 * idempotent. The namespace is fixed forever: changing it would orphan every stored point.
 */
public final class PointIds {

    /** The shelfstream namespace UUID. Never change it. */
    public static final UUID NAMESPACE = UUID.fromString("6f1c3d2a-8b4e-5f7a-9c0d-2e4b6a8c0f13");

    private PointIds() {
    }

    /** The point id of a book. */
    public static UUID book(String bookId) {
        return of("book", bookId);
    }

    /** The point id of a student. */
    public static UUID student(String studentId) {
        return of("student", studentId);
    }

    /** The point id of any entity. */
    public static UUID of(String entityType, String entityId) {
        return uuidV5(NAMESPACE, entityType + ":" + entityId);
    }

    static UUID uuidV5(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by the Java platform", e);
        }
        ByteBuffer ns = ByteBuffer.allocate(16);
        ns.putLong(namespace.getMostSignificantBits());
        ns.putLong(namespace.getLeastSignificantBits());
        sha1.update(ns.array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(b.getLong(), b.getLong());
    }
}
