package io.shelfstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The catalog's SQL as shipped in this module: DDL for {@code books} and {@code students}, and a small sample.
 *
 * <p>The job only reads these tables; the DDL documents the columns it expects and lets tests and the demo
 * create them. Statements are idempotent ({@code IF NOT EXISTS}, {@code ON CONFLICT DO NOTHING}). A generated
 * catalog is loaded with {@link CatalogLoader}.
 */
public final class CatalogSql {

    private CatalogSql() {
    }

    /** DDL of the catalog tables. */
    public static String ddl() {
        return resource("sql/catalog.sql");
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
