package io.shelfstream.job.operators;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.EnrichedBook;

/**
 * Looks up a book's catalog row in PostgreSQL without blocking the task thread (Flink Async I/O).
 *
 * <p>Queries run on a small pool of I/O threads over a HikariCP connection pool. A removal needs no row and is
 * passed through untouched. A missing row yields {@link EnrichedBook#missing}; a database error fails the
 * record's future, so Flink restarts from the last checkpoint and nothing is dropped.
 */
public final class BookCatalogLookup extends RichAsyncFunction<BookChange, EnrichedBook> {

    private static final long serialVersionUID = 1L;

    static final String QUERY =
            "SELECT title, author, description, genres, reading_level FROM books WHERE book_id = ?";

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final int poolSize;
    private transient HikariDataSource dataSource;
    private transient ExecutorService executor;

    public BookCatalogLookup(String jdbcUrl, String user, String password, int poolSize) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.poolSize = poolSize;
    }

    @Override
    public void open(OpenContext openContext) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setReadOnly(true);
        config.setPoolName("shelfstream-catalog-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        dataSource = new HikariDataSource(config);
        executor = Executors.newFixedThreadPool(poolSize, r -> {
            Thread t = new Thread(r, "shelfstream-catalog-lookup");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void asyncInvoke(BookChange change, ResultFuture<EnrichedBook> result) {
        if (change.removed()) {
            result.complete(List.of(EnrichedBook.missing(change)));
            return;
        }
        CompletableFuture.supplyAsync(() -> {
            try {
                return lookup(change);
            } catch (SQLException e) {
                throw new IllegalStateException("Catalog lookup of book " + change.bookId() + " failed: "
                        + e.getMessage(), e);
            }
        }, executor).whenComplete((row, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(List.of(row));
            }
        });
    }

    private EnrichedBook lookup(BookChange change) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(QUERY)) {
            ps.setString(1, change.bookId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return EnrichedBook.missing(change);
                }
                Array genres = rs.getArray("genres");
                String[] genreValues = genres == null ? new String[0] : (String[]) genres.getArray();
                return new EnrichedBook(change, true, rs.getString("title"), rs.getString("author"),
                        rs.getString("description"), genreValues, rs.getString("reading_level"));
            }
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
        if (dataSource != null) {
            dataSource.close();
        }
    }
}
