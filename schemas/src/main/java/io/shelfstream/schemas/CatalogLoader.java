package io.shelfstream.schemas;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * Creates the catalog tables and loads rows into them over JDBC, in batched upserts.
 *
 * <p>Loading is idempotent: the DDL uses {@code IF NOT EXISTS}, and a row whose key exists is overwritten (its
 * {@code updated_at} set to now), so loading the same generated catalog twice leaves the same tables. Everything
 * is one transaction: a failure leaves the tables as they were. Needs a PostgreSQL JDBC driver on the class path
 * (the catalog uses {@code TEXT[]} columns).
 *
 * <pre>{@code
 * CatalogLoader.Loaded n = CatalogLoader.withBatchSize(1000)
 *         .load("jdbc:postgresql://localhost:5432/catalog", "postgres", "postgres", books, students);
 * }</pre>
 */
public final class CatalogLoader {

    /** Rows per JDBC batch unless set otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 500;

    private static final String UPSERT_BOOK = "INSERT INTO books "
            + "(book_id, isbn, title, author, description, genres, reading_level, updated_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, now()) ON CONFLICT (book_id) DO UPDATE SET "
            + "isbn = EXCLUDED.isbn, title = EXCLUDED.title, author = EXCLUDED.author, "
            + "description = EXCLUDED.description, genres = EXCLUDED.genres, "
            + "reading_level = EXCLUDED.reading_level, updated_at = EXCLUDED.updated_at";
    private static final String UPSERT_STUDENT = "INSERT INTO students "
            + "(student_id, grade_level, interests, preferred_genres, updated_at) "
            + "VALUES (?, ?, ?, ?, now()) ON CONFLICT (student_id) DO UPDATE SET "
            + "grade_level = EXCLUDED.grade_level, interests = EXCLUDED.interests, "
            + "preferred_genres = EXCLUDED.preferred_genres, updated_at = EXCLUDED.updated_at";

    private final int batchSize;

    private CatalogLoader(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** A loader with {@link #DEFAULT_BATCH_SIZE}. */
    public static CatalogLoader create() {
        return new CatalogLoader(DEFAULT_BATCH_SIZE);
    }

    /** A loader that sends {@code batchSize} rows per JDBC batch. */
    public static CatalogLoader withBatchSize(int batchSize) {
        return new CatalogLoader(batchSize);
    }

    /** How many rows a load wrote. */
    public record Loaded(int books, int students) {
    }

    /** Connects to {@code jdbcUrl}, creates the tables when missing and upserts the rows. */
    public Loaded load(String jdbcUrl, String user, String password,
            Iterable<CatalogBook> books, Iterable<CatalogStudent> students) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            return load(c, books, students);
        }
    }

    /** Creates the tables when missing and upserts the rows, in one transaction on {@code c}. */
    public Loaded load(Connection c, Iterable<CatalogBook> books, Iterable<CatalogStudent> students)
            throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement s = c.createStatement()) {
                s.execute(CatalogSql.ddl());
            }
            int b = upsertBooks(c, books);
            int st = upsertStudents(c, students);
            c.commit();
            return new Loaded(b, st);
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private int upsertBooks(Connection c, Iterable<CatalogBook> books) throws SQLException {
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(UPSERT_BOOK)) {
            for (CatalogBook b : books) {
                ps.setString(1, b.bookId());
                ps.setString(2, b.isbn());
                ps.setString(3, b.title());
                ps.setString(4, b.author());
                ps.setString(5, b.description());
                ps.setArray(6, c.createArrayOf("text", b.genres().toArray()));
                ps.setString(7, b.readingLevel());
                ps.addBatch();
                if (++n % batchSize == 0) {
                    ps.executeBatch();
                }
            }
            if (n % batchSize != 0) {
                ps.executeBatch();
            }
        }
        return n;
    }

    private int upsertStudents(Connection c, Iterable<CatalogStudent> students) throws SQLException {
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(UPSERT_STUDENT)) {
            for (CatalogStudent s : students) {
                ps.setString(1, s.studentId());
                if (s.gradeLevel() == null) {
                    ps.setNull(2, Types.INTEGER);
                } else {
                    ps.setInt(2, s.gradeLevel());
                }
                ps.setString(3, s.interests());
                ps.setArray(4, c.createArrayOf("text", s.preferredGenres().toArray()));
                ps.addBatch();
                if (++n % batchSize == 0) {
                    ps.executeBatch();
                }
            }
            if (n % batchSize != 0) {
                ps.executeBatch();
            }
        }
        return n;
    }
}
