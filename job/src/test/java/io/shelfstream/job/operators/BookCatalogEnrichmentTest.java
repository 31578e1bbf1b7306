package io.shelfstream.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.JdbcEnrichmentFunction;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.EnrichedBook;

class BookCatalogEnrichmentTest {

    private static final BookChange ADDED = new BookChange("b-1", false, "e-1", "books", 0, 7);
    private static final BookChange REMOVED = new BookChange("b-1", true, "e-2", "books", 0, 8);

    @Test
    void defaultsReadTheShippedBooksTable() {
        JdbcEnrichmentFunction<BookChange, EnrichedBook> f = BookCatalogEnrichment.create(JobOptions.defaults());
        assertThat(f.getTable().selectSql()).isEqualTo("SELECT \"book_id\", \"title\", \"author\", \"description\", "
                + "\"genres\", \"reading_level\", \"updated_at\" FROM \"books\" WHERE \"book_id\" = ANY(?)");
        assertThat(f.getOptions().batchSize()).isEqualTo(200);
        assertThat(f.getOptions().maxBatchDelay()).isEqualTo(Duration.ofMillis(10));
        assertThat(f.getOptions().maxRetries()).isEqualTo(5);
        assertThat(f.getOptions().isCacheEnabled()).isFalse();
        assertThat(f.getOptions().timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aCatalogWithOtherNamesIsConfiguredByOptions() {
        JobOptions options = JobOptions.defaults()
                .with("catalog.books.table", "library.titles")
                .with("catalog.books.id-column", "isbn13")
                .with("catalog.books.columns", "title=name,author=writer,description=blurb,genres=tags,"
                        + "reading_level=level")
                .with("catalog.version-column", "modified")
                .with("catalog.cache.max-rows", "5000")
                .with("catalog.retries", "0");
        JdbcEnrichmentFunction<BookChange, EnrichedBook> f = BookCatalogEnrichment.create(options);
        assertThat(f.getTable().selectSql()).isEqualTo("SELECT \"isbn13\", \"name\", \"writer\", \"blurb\", \"tags\", "
                + "\"level\", \"modified\" FROM \"library\".\"titles\" WHERE \"isbn13\" = ANY(?)");
        // a catalog without a version column
        assertThat(BookCatalogEnrichment.create(options.with("catalog.version-column", "")).getTable().selectSql())
                .doesNotContain("modified").endsWith("\"level\" FROM \"library\".\"titles\" WHERE \"isbn13\" = ANY(?)");
        assertThat(f.getOptions().cacheMaxRows()).isEqualTo(5000);
        assertThat(f.getOptions().maxRetries()).isZero();
    }

    @Test
    void badCatalogOptionsFailWhenTheJobIsBuilt() {
        assertThatThrownBy(() -> BookCatalogEnrichment.create(JobOptions.defaults()
                .with("catalog.books.columns", "title=title,author=author")))
                .hasMessageContaining("must map the field 'description'");
        assertThatThrownBy(() -> BookCatalogEnrichment.create(JobOptions.defaults()
                .with("catalog.retries", "20")))
                .hasMessageContaining("Invalid --catalog.* options").hasMessageContaining("Raise the timeout");
        assertThatThrownBy(() -> BookCatalogEnrichment.create(JobOptions.defaults()
                .with("catalog.batch-size", "2000")))
                .hasMessageContaining("exceeds the capacity 1000");
        assertThatThrownBy(() -> JobOptions.defaults().with("catalog.retries", "-1"))
                .hasMessageContaining("--catalog.retries must be an integer of 0 or more");
    }

    @Test
    void rowsBecomeEnrichedBooksAndRemovalsNeedNoRow() throws Exception {
        BookCatalogEnrichment.Mapper mapper = new BookCatalogEnrichment.Mapper();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("title", "Tide Pools");
        fields.put("author", "Hannah Okafor");
        fields.put("description", null);
        fields.put("genres", List.of("nature", "non-fiction"));
        fields.put("reading_level", "early-reader");
        EnrichedBook book = mapper.found(ADDED, new CatalogRow("b-1", fields));
        assertThat(book.found()).isTrue();
        assertThat(book.title()).isEqualTo("Tide Pools");
        assertThat(book.description()).isNull();
        assertThat(book.genres()).containsExactly("nature", "non-fiction");
        assertThat(book.readingLevel()).isEqualTo("early-reader");
        assertThat(mapper.isMissing(book)).isFalse();

        assertThat(mapper.isMissing(mapper.missing(ADDED))).isTrue();
        assertThat(mapper.needsLookup(REMOVED)).isFalse();
        EnrichedBook removal = mapper.withoutLookup(REMOVED);
        assertThat(removal.change()).isEqualTo(REMOVED);
        assertThat(mapper.isMissing(removal)).as("a removal is never retried").isFalse();
    }
}
