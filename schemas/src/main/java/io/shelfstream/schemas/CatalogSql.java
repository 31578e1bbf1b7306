package io.shelfstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The catalog's SQL as shipped in this module: DDL for {@code books} and {@code students}, a small sample, and
 * the DDL of the job's embedding ledger.
 *
 * <p>The job only reads the catalog tables; the DDL documents the columns it expects and lets tests and the demo
 * create them. Statements are idempotent ({@code IF NOT EXISTS}, {@code ON CONFLICT DO NOTHING}). A generated
 * catalog is loaded with {@link CatalogLoader}.
 *
 * <p>The ledger ({@link #ledgerDdl()}, table {@code embedding_ledger}) is the one table the job writes: one row
 * per embedded entity (primary key {@code (entity_type, entity_id)}) with its Qdrant point id and collection, the
 * content hash and model id of its vector, and the event (id and {@code topic/partition/offset}, or
 * {@code backfill}) that caused it. A removal deletes the entity's row.
 */
public final class CatalogSql {

    private CatalogSql() {
    }

    /** DDL of the catalog tables. */
    public static String ddl() {
        return resource("sql/catalog.sql");
    }

    /** DDL of the embedding ledger, table {@code embedding_ledger} (and its index); idempotent. */
    public static String ledgerDdl() {
        return resource("sql/ledger.sql");
    }

    /** A handful of books and students for the demo and the walking-skeleton test. */
    public static String sampleData() {
        return resource("sql/sample-catalog.sql");
    }

    static String resource(String name) {
        try (InputStream in = CatalogSql.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource io/shelfstream/schemas/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
