package io.shelfstream.job.operators;

import java.util.List;
import java.util.Set;

import org.apache.flink.api.common.typeinfo.TypeInformation;

import io.shelfstream.connectors.lookup.CatalogRow;
import io.shelfstream.connectors.lookup.CatalogTable;
import io.shelfstream.connectors.lookup.EnrichmentMapper;
import io.shelfstream.connectors.lookup.JdbcEnrichmentFunction;
import io.shelfstream.connectors.lookup.JdbcEnrichmentOptions;
import io.shelfstream.job.JobOptions;
import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.EnrichedBook;

/**
 * The catalog lookup of the books path: a {@link JdbcEnrichmentFunction} over the {@code books} table, configured
 * from the {@code catalog.*} options, turning {@link BookChange}s into {@link EnrichedBook}s.
 *
 * <p>Removals need no row and pass through as {@link EnrichedBook#missing} of a removed change (the embedding stage
 * turns them into deletes). A book whose row is still missing after the retries also becomes
 * {@link EnrichedBook#missing}, which the embedding stage sends to the dead-letter topic as
 * {@code catalog_row_missing}. The table, its id column and the column of each field come from
 * {@code catalog.books.table}, {@code catalog.books.id-column} and {@code catalog.books.columns}; the fields are
 * title, author, description, genres and reading_level.
 */
public final class BookCatalogEnrichment {

    /** Fields the books path reads; {@code catalog.books.columns} must map each of them. */
    public static final List<String> FIELDS = List.of("title", "author", "description", "genres", "reading_level");

    private BookCatalogEnrichment() {
    }

    /**
     * Builds the lookup from the job options; settings that contradict each other fail here, when the job is built.
     *
     * @param options the job options
     * @return the function, to apply with {@link JdbcEnrichmentFunction#orderedWait}
     * @throws IllegalArgumentException if the options are invalid, with the option to fix
     */
    public static JdbcEnrichmentFunction<BookChange, EnrichedBook> create(JobOptions options) {
        CatalogTable table = table(options);
        JdbcEnrichmentOptions lookup;
        try {
            lookup = lookupOptions(options);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("Invalid --catalog.* options: " + e.getMessage(), e);
        }
        return JdbcEnrichmentFunction.<BookChange, EnrichedBook>builder()
                .setOptions(lookup)
                .setTable(table)
                .setKeySelector(BookChange::bookId)
                .setMapper(new Mapper())
                .setOutputType(TypeInformation.of(EnrichedBook.class))
                .build();
    }

    /**
     * The catalog table as the options describe it: table, id column, the field columns and, unless
     * {@code catalog.version-column} is empty, the row version as the field {@value CatalogVersions#FIELD}. The
     * lookup and the backfill read the same table this way.
     *
     * @throws IllegalArgumentException if the options are invalid, with the option to fix
     */
    public static CatalogTable table(JobOptions options) {
        return catalogTable(options, "books", FIELDS);
    }

    /**
     * The catalog table of {@code catalog.<entities>.*} (the books or students table), checked to map each of
     * {@code fields}; shared by both paths.
     */
    static CatalogTable catalogTable(JobOptions options, String entities, List<String> fields) {
        String prefix = "catalog." + entities + ".";
        CatalogTable table;
        try {
            table = CatalogTable.builder()
                    .setTable(options.get(prefix + "table"))
                    .setIdColumn(options.get(prefix + "id-column"))
                    .addFields(CatalogVersions.withVersion(options.get(prefix + "columns"), options))
                    .build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("Invalid --catalog.* options: " + e.getMessage(), e);
        }
        Set<String> mapped = table.fields().keySet();
        for (String field : fields) {
            if (!mapped.contains(field)) {
                throw new IllegalArgumentException("--" + prefix + "columns must map the field '" + field
                        + "' to a column (field=column, comma-separated; fields: " + String.join(", ", fields)
                        + "), got '" + options.get(prefix + "columns") + "'");
            }
        }
        return table;
    }

    /** The book a catalog row describes, as the lookup or a backfill found it for {@code change}. */
    public static EnrichedBook fromRow(BookChange change, CatalogRow row) {
        return new EnrichedBook(change, true, row.getString("title"), row.getString("author"),
                row.getString("description"), row.getStringList("genres").toArray(new String[0]),
                row.getString("reading_level"), CatalogVersions.version(row));
    }

    /**
     * The lookup settings shared by every catalog lookup of the job ({@code catalog.*} options besides the table
     * mappings).
     */
    static JdbcEnrichmentOptions lookupOptions(JobOptions options) {
        return JdbcEnrichmentOptions.builder()
                .setJdbcUrl(options.get("catalog.jdbc-url"))
                .setUsername(options.get("catalog.user"))
                .setPassword(options.get("catalog.password"))
                .setPoolSize(options.positiveInt("catalog.pool-size"))
                .setTimeout(options.duration("catalog.timeout"))
                .setConnectionTimeout(options.duration("catalog.connect-timeout"))
                .setCapacity(options.positiveInt("catalog.capacity"))
                .setBatchSize(options.positiveInt("catalog.batch-size"))
                .setMaxBatchDelay(options.duration("catalog.max-batch-delay"))
                .setMaxRetries(options.nonNegativeInt("catalog.retries"))
                .setRetryBackoff(options.duration("catalog.retry-delay"),
                        options.duration("catalog.retry-max-delay"), JdbcEnrichmentOptions.DEFAULT_RETRY_MULTIPLIER)
                .setCache(options.nonNegativeInt("catalog.cache.max-rows"), options.duration("catalog.cache.ttl"))
                .build();
    }

    /** Book changes and catalog rows to enriched books. */
    static final class Mapper implements EnrichmentMapper<BookChange, EnrichedBook> {

        private static final long serialVersionUID = 1L;

        @Override
        public boolean needsLookup(BookChange change) {
            return !change.removed();
        }

        @Override
        public EnrichedBook withoutLookup(BookChange change) {
            return EnrichedBook.missing(change);
        }

        @Override
        public EnrichedBook found(BookChange change, CatalogRow row) {
            return fromRow(change, row);
        }

        @Override
        public EnrichedBook missing(BookChange change) {
            return EnrichedBook.missing(change);
        }

        @Override
        public boolean isMissing(EnrichedBook book) {
            // a removal carries no row either, but it never had to have one
            return !book.found() && !book.change().removed();
        }
    }
}
