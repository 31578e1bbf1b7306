package io.shelfstream.connectors.local.qdrant;

import java.util.Locale;
import java.util.UUID;

import io.qdrant.client.grpc.Common.PointId;

/**
 * A point id as Qdrant keeps it: an unsigned 64-bit integer or a UUID.
 *
 * <p>Ordering follows Qdrant's: every integer id sorts before every UUID, integers compare unsigned and
 * UUIDs compare by their 16 bytes. UUID strings are accepted in the forms Rust's {@code uuid} crate
 * parses (simple, hyphenated, braced, URN; any letter case) and are printed lower-case hyphenated.
 */
final class PointKey implements Comparable<PointKey> {

    private static final String URN_PREFIX = "urn:uuid:";

    private final boolean isUuid;
    private final long num;
    private final UUID uuid;

    private PointKey(boolean isUuid, long num, UUID uuid) {
        this.isUuid = isUuid;
        this.num = num;
        this.uuid = uuid;
    }

    static PointKey ofNum(long unsignedNum) {
        return new PointKey(false, unsignedNum, null);
    }

    static PointKey ofUuid(UUID uuid) {
        return new PointKey(true, 0, uuid);
    }

    /** Converts a request id, rejecting missing ids and strings that are not UUIDs as Qdrant does. */
    static PointKey fromProto(PointId id) {
        switch (id.getPointIdOptionsCase()) {
            case NUM:
                return ofNum(id.getNum());
            case UUID:
                UUID parsed = parseUuid(id.getUuid());
                if (parsed == null) {
                    throw QdrantErrors.invalidArgument("Unable to parse UUID: " + id.getUuid());
                }
                return ofUuid(parsed);
            default:
                throw QdrantErrors.invalidArgument("No ID options provided");
        }
    }

    /** Parses a UUID strictly; returns {@code null} if {@code text} is not one. */
    static UUID parseUuid(String text) {
        String hyphenated;
        switch (text.length()) {
            case 32:
                return fromHex(text);
            case 36:
                hyphenated = text;
                break;
            case 38:
                if (text.charAt(0) != '{' || text.charAt(37) != '}') {
                    return null;
                }
                hyphenated = text.substring(1, 37);
                break;
            case 45:
                if (!text.regionMatches(true, 0, URN_PREFIX, 0, URN_PREFIX.length())) {
                    return null;
                }
                hyphenated = text.substring(URN_PREFIX.length());
                break;
            default:
                return null;
        }
        StringBuilder hex = new StringBuilder(32);
        for (int i = 0; i < 36; i++) {
            char c = hyphenated.charAt(i);
            boolean dashPosition = i == 8 || i == 13 || i == 18 || i == 23;
            if (dashPosition) {
                if (c != '-') {
                    return null;
                }
            } else {
                hex.append(c);
            }
        }
        return fromHex(hex.toString());
    }

    private static UUID fromHex(String hex) {
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 32; i++) {
            int digit = Character.digit(hex.charAt(i), 16);
            if (digit < 0 || hex.charAt(i) > 'f') {
                return null;
            }
            if (i < 16) {
                msb = (msb << 4) | digit;
            } else {
                lsb = (lsb << 4) | digit;
            }
        }
        return new UUID(msb, lsb);
    }

    boolean isUuid() {
        return isUuid;
    }

    PointId toProto() {
        return isUuid
                ? PointId.newBuilder().setUuid(uuid.toString().toLowerCase(Locale.ROOT)).build()
                : PointId.newBuilder().setNum(num).build();
    }

    @Override
    public int compareTo(PointKey other) {
        if (isUuid != other.isUuid) {
            return isUuid ? 1 : -1;
        }
        if (!isUuid) {
            return Long.compareUnsigned(num, other.num);
        }
        int byMsb = Long.compareUnsigned(uuid.getMostSignificantBits(), other.uuid.getMostSignificantBits());
        return byMsb != 0
                ? byMsb
                : Long.compareUnsigned(uuid.getLeastSignificantBits(), other.uuid.getLeastSignificantBits());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PointKey)) {
            return false;
        }
        PointKey other = (PointKey) o;
        return isUuid == other.isUuid && num == other.num && (!isUuid || uuid.equals(other.uuid));
    }

    @Override
    public int hashCode() {
        return isUuid ? uuid.hashCode() : Long.hashCode(num);
    }

    @Override
    public String toString() {
        return isUuid ? uuid.toString().toLowerCase(Locale.ROOT) : Long.toUnsignedString(num);
    }
}
