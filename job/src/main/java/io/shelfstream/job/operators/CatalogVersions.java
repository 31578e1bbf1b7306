package io.shelfstream.job.operators;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;

import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.records.EnrichedBook;

/**
 * The version of a catalog row: its {@code catalog.version-column} ({@code updated_at} by default), read by the
 * lookup and the backfill as the field {@value #FIELD} and compared by {@link NewestRowFilter} so that a backfill
 * row never replaces a newer one.
 */
public final class CatalogVersions {

    /** The field name the version column is read as. */
    public static final String FIELD = "catalog_version";

    private CatalogVersions() {
    }

    /** The {@code field=column} list of the options, with the version column added unless it is empty. */
    static String withVersion(String columns, JobOptions options) {
        String column = options.get("catalog.version-column").trim();
        return column.isEmpty() ? columns : columns + "," + FIELD + "=" + column;
    }

    /**
     * The row's version in epoch milliseconds, or {@link EnrichedBook#UNKNOWN_VERSION} when it has none.
     *
     * @throws IllegalArgumentException if the version column holds something that is not a time or a number
     */
    public static long version(CatalogRow row) {
        Object v = row.asMap().get(FIELD);
        if (v == null) {
            return EnrichedBook.UNKNOWN_VERSION;
        }
        if (v instanceof Instant i) {
            return i.toEpochMilli();
        }
        if (v instanceof Timestamp t) {
            return t.getTime();
        }
        if (v instanceof OffsetDateTime o) {
            return o.toInstant().toEpochMilli();
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("--catalog.version-column must name a timestamp or number column; row "
                + row.id() + " has " + v.getClass().getSimpleName() + " '" + v + "'");
    }
}
