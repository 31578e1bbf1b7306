package io.shelfstream.connectors.qdrant.internal;

import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import io.qdrant.client.PointIdFactory;
import io.qdrant.client.grpc.Common.PointId;

/**
 * Qdrant point ids as the sink accepts them: an unsigned 64-bit integer in decimal, or a UUID (hyphenated or
 * 32 hex digits, any case). Qdrant rejects every other id, so the sink rejects it before sending anything.
 *
 * <p>The canonical form (decimal digits without leading zeros, or a lower-case hyphenated UUID) is what Qdrant
 * reports back and what the sink compacts on, so two spellings of one id are one point.
 */
public final class PointIds {

    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,20}");
    private static final Pattern HYPHENATED = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern SIMPLE = Pattern.compile("[0-9a-fA-F]{32}");

    private PointIds() {
    }

    /**
     * The canonical spelling of {@code id}.
     *
     * @throws IllegalArgumentException if Qdrant would reject the id
     */
    public static String canonical(String id) {
        if (DECIMAL.matcher(id).matches()) {
            try {
                return Long.toUnsignedString(Long.parseUnsignedLong(id));
            } catch (NumberFormatException e) {
                throw notAnId(id);
            }
        }
        if (HYPHENATED.matcher(id).matches()) {
            return id.toLowerCase(Locale.ROOT);
        }
        if (SIMPLE.matcher(id).matches()) {
            String s = id.toLowerCase(Locale.ROOT);
            return s.substring(0, 8) + '-' + s.substring(8, 12) + '-' + s.substring(12, 16) + '-'
                    + s.substring(16, 20) + '-' + s.substring(20);
        }
        throw notAnId(id);
    }

    /** The gRPC point id of a canonical id. */
    public static PointId toPointId(String canonicalId) {
        if (canonicalId.indexOf('-') < 0) {
            return PointIdFactory.id(Long.parseUnsignedLong(canonicalId));
        }
        return PointIdFactory.id(UUID.fromString(canonicalId));
    }

    private static IllegalArgumentException notAnId(String id) {
        return new IllegalArgumentException("point id '" + id + "' is neither an unsigned 64-bit integer nor a UUID;"
                + " Qdrant accepts only those. Derive ids with a UUID (e.g. UUIDv5 of the entity key).");
    }
}
