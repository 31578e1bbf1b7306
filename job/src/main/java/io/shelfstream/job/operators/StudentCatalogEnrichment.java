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
import io.shelfstream.job.records.EnrichedStudent;
import io.shelfstream.job.records.StudentChange;

/**
 * The catalog lookup of the students path, the counterpart of {@link BookCatalogEnrichment}: a
 * {@link JdbcEnrichmentFunction} over the {@code students} table turning {@link StudentChange}s into
 * {@link EnrichedStudent}s, with the same {@code catalog.*} connection, batching, retry and cache settings.
 *
 * <p>Removals need no row and pass through as {@link EnrichedStudent#missing} of a removed change (the embedding
 * stage turns them into deletes). A student whose row is still missing after the retries also becomes
 * {@link EnrichedStudent#missing}, which the embedding stage sends to the dead-letter topic as
 * {@code catalog_row_missing}. The table, its id column and the column of each field come from
 * {@code catalog.students.table}, {@code catalog.students.id-column} and {@code catalog.students.columns}; the
 * fields are grade_level, interests and preferred_genres.
 */
public final class StudentCatalogEnrichment {

    /** Fields the students path reads; {@code catalog.students.columns} must map each of them. */
    public static final List<String> FIELDS = List.of("grade_level", "interests", "preferred_genres");

    private StudentCatalogEnrichment() {
    }

    /**
     * Builds the lookup from the job options; settings that contradict each other fail here, when the job is built.
     *
     * @param options the job options
     * @return the function, to apply with {@link JdbcEnrichmentFunction#orderedWait}
     * @throws IllegalArgumentException if the options are invalid, with the option to fix
     */
    public static JdbcEnrichmentFunction<StudentChange, EnrichedStudent> create(JobOptions options) {
        CatalogTable table = table(options);
        JdbcEnrichmentOptions lookup;
        try {
            lookup = BookCatalogEnrichment.lookupOptions(options);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("Invalid --catalog.* options: " + e.getMessage(), e);
        }
        return JdbcEnrichmentFunction.<StudentChange, EnrichedStudent>builder()
                .setOptions(lookup)
                .setTable(table)
                .setKeySelector(StudentChange::studentId)
                .setMapper(new Mapper())
                .setOutputType(TypeInformation.of(EnrichedStudent.class))
                .build();
    }

    /**
     * The catalog table as the options describe it (see {@link BookCatalogEnrichment#table}), for the lookup and the
     * backfill.
     *
     * @throws IllegalArgumentException if the options are invalid, with the option to fix
     */
    public static CatalogTable table(JobOptions options) {
        return BookCatalogEnrichment.catalogTable(options, "students", FIELDS);
    }

    /** The student a catalog row describes, as the lookup or a backfill found it for {@code change}. */
    public static EnrichedStudent fromRow(StudentChange change, CatalogRow row) {
        return new EnrichedStudent(change, true, grade(row.get("grade_level")), row.getString("interests"),
                row.getStringList("preferred_genres").toArray(new String[0]),
                CatalogVersions.version(row));
    }

    /** A grade from the catalog: an integer column, or text holding one; anything else counts as unknown. */
    static Integer grade(Object value) {
        if (value instanceof Number n) {
            return n.intValue();
        }
        if (value != null) {
            try {
                return Integer.valueOf(value.toString().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Student changes and catalog rows to enriched students. */
    static final class Mapper implements EnrichmentMapper<StudentChange, EnrichedStudent> {

        private static final long serialVersionUID = 1L;

        @Override
        public boolean needsLookup(StudentChange change) {
            return !change.removed();
        }

        @Override
        public EnrichedStudent withoutLookup(StudentChange change) {
            return EnrichedStudent.missing(change);
        }

        @Override
        public EnrichedStudent found(StudentChange change, CatalogRow row) {
            return fromRow(change, row);
        }

        @Override
        public EnrichedStudent missing(StudentChange change) {
            return EnrichedStudent.missing(change);
        }

        @Override
        public boolean isMissing(EnrichedStudent student) {
            // a removal carries no row either, but it never had to have one
            return !student.found() && !student.change().removed();
        }
    }
}
