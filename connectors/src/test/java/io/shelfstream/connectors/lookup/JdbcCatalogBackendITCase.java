package io.shelfstream.connectors.lookup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.shelfstream.connectors.local.LocalPostgres;
import io.shelfstream.connectors.lookup.internal.JdbcCatalogBackend;
import io.shelfstream.connectors.lookup.internal.TransientErrors;
import io.shelfstream.connectors.testutils.LocalServices;
import io.shelfstream.connectors.testutils.TestNames;

/** The JDBC backend against a real PostgreSQL: column mapping, types, batches, ids of other types, errors. */
class JdbcCatalogBackendITCase {

    private static JdbcEnrichmentOptions options(String jdbcUrl) {
        return JdbcEnrichmentOptions.builder().setJdbcUrl(jdbcUrl).setUsername(LocalPostgres.USER)
                .setPassword(LocalPostgres.PASSWORD).setPoolSize(2).setConnectionTimeout(Duration.ofSeconds(2))
                .build();
    }

    @Test
    void readsABatchFromACatalogWithOtherColumnNames() throws Exception {
        LocalPostgres pg = LocalServices.postgres();
        String db = TestNames.fresh("lookup_backend");
        String url = pg.createDatabase(db);
        pg.execute(db, """
                CREATE TABLE items (
                    item_key TEXT PRIMARY KEY, label TEXT NOT NULL, blurb TEXT, tags TEXT[] NOT NULL DEFAULT '{}',
                    shelf INTEGER, changed TIMESTAMPTZ NOT NULL, extra TEXT);
                INSERT INTO items VALUES
                    ('a', 'Alpha', 'First', '{x,y}', 3, '2026-01-02T03:04:05Z', 'ignored'),
                    ('b', 'Beta', NULL, '{}', NULL, '2026-01-02T03:04:05Z', NULL);
                """);
        CatalogTable table = CatalogTable.builder().setTable("public.items").setIdColumn("item_key")
                .addFields("title=label, description=blurb, genres=tags, shelf, updated_at=changed").build();
        try (JdbcCatalogBackend backend = JdbcCatalogBackend.create(table, options(url), "test-items")) {
            Map<String, CatalogRow> rows = backend.fetch(List.of("a", "b", "nope", "a"));
            assertThat(rows).containsOnlyKeys("a", "b");
            CatalogRow a = rows.get("a");
            assertThat(a.getString("title")).isEqualTo("Alpha");
            assertThat(a.getString("description")).isEqualTo("First");
            assertThat(a.getStringList("genres")).containsExactly("x", "y");
            assertThat(a.get("shelf")).isEqualTo(3);
            assertThat(a.get("updated_at")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
            assertThat(a.asMap()).containsOnlyKeys("title", "description", "genres", "shelf", "updated_at");
            CatalogRow b = rows.get("b");
            assertThat(b.getString("description")).isNull();
            assertThat(b.getStringList("genres")).isEmpty();
            assertThat(b.get("shelf")).isNull();
            assertThatThrownBy(() -> b.get("isbn")).hasMessageContaining("No field 'isbn'");
        }
    }

    @Test
    void idsOfOtherTypesAreMatchedInTheirTextForm() throws Exception {
        LocalPostgres pg = LocalServices.postgres();
        String db = TestNames.fresh("lookup_backend");
        String url = pg.createDatabase(db);
        pg.execute(db, "CREATE TABLE students (student_id BIGINT PRIMARY KEY, grade_level INTEGER);"
                + "INSERT INTO students SELECT g, g % 12 FROM generate_series(1, 500) g;");
        CatalogTable table = CatalogTable.builder().setTable("students").setIdColumn("student_id")
                .setIdSqlType("bigint").addField("grade", "grade_level").build();
        try (JdbcCatalogBackend backend = JdbcCatalogBackend.create(table, options(url), "test-students")) {
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 1; i <= 600; i += 3) {
                ids.add(Integer.toString(i));
            }
            Map<String, CatalogRow> rows = backend.fetch(ids);
            assertThat(rows).hasSize(167).containsKey("499").doesNotContainKey("502");
            assertThat(rows.get("13").get("grade")).isEqualTo(1);
        }
    }

    @Test
    void unreachableDatabasesFailTransientlyAndBadMappingsPermanently() throws Exception {
        LocalPostgres pg = LocalServices.postgres();
        String db = TestNames.fresh("lookup_backend");
        String url = pg.createDatabase(db);
        pg.execute(db, "CREATE TABLE books (book_id TEXT PRIMARY KEY, title TEXT)");
        CatalogTable wrongColumn = CatalogTable.builder().setTable("books").setIdColumn("book_id")
                .addField("title", "book_title").build();
        try (JdbcCatalogBackend backend = JdbcCatalogBackend.create(wrongColumn, options(url), "test-wrong")) {
            assertThatThrownBy(() -> backend.fetch(List.of("a")))
                    .hasMessageContaining("book_title")
                    .satisfies(e -> assertThat(TransientErrors.isTransient(e)).isFalse());
        }
        CatalogTable books = CatalogTable.builder().setTable("books").setIdColumn("book_id").addField("title").build();
        // nothing listens on port 1; creating the backend must not connect, only the read fails
        long start = System.nanoTime();
        try (JdbcCatalogBackend backend = JdbcCatalogBackend.create(books,
                options("jdbc:postgresql://localhost:1/catalog"), "test-down")) {
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThatThrownBy(() -> backend.fetch(List.of("a")))
                    .satisfies(e -> assertThat(TransientErrors.isTransient(e)).as("%s", e).isTrue());
        }
    }
}
