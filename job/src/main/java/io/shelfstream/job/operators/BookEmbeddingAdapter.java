package io.shelfstream.job.operators;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.OutputTag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.job.embed.EmbeddingAdapter;
import io.shelfstream.job.embed.EmbeddingOperator;
import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.EnrichedBook;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;

/**
 * Turns enriched book changes into Qdrant point writes inside an {@link EmbeddingOperator}: present books are
 * embedded and upserted with their catalog payload, removals become deletes, and books missing from the catalog
 * go to the dead-letter output.
 *
 * <p>The embedded text is {@link EmbeddingTexts#book}. The reading level is in the payload but not in the text, so
 * it is hashed as extra content: a change to it rewrites the point instead of being skipped as unchanged.
 * Metrics {@code booksEmbedded} and {@code catalogRowsMissing} count upserts and dead letters.
 */
public final class BookEmbeddingAdapter implements EmbeddingAdapter<EnrichedBook, PointWrite> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String collection;
    private final OutputTag<DeadLetter> deadLetters;
    private transient Counter embedded;
    private transient Counter missing;

    /**
     * Creates the adapter.
     *
     * @param collection  the Qdrant collection (or alias) of books
     * @param deadLetters the side output for books the catalog does not have
     */
    public BookEmbeddingAdapter(String collection, OutputTag<DeadLetter> deadLetters) {
        this.collection = collection;
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(MetricGroup metrics) {
        embedded = metrics.counter("booksEmbedded");
        missing = metrics.counter("catalogRowsMissing");
    }

    @Override
    public String key(EnrichedBook book) {
        return book.change().bookId();
    }

    @Override
    public String text(EnrichedBook book) {
        if (book.change().removed() || !book.found()) {
            return null;
        }
        return EmbeddingTexts.book(book.title(), book.author(), book.description(), List.of(book.genres()));
    }

    @Override
    public String extraContent(EnrichedBook book) {
        return book.readingLevel() == null ? "" : book.readingLevel();
    }

    @Override
    public PointWrite embedded(EnrichedBook book, float[] vector, String contentHash, String modelId) {
        embedded.inc();
        return PointWrite.upsert(collection, PointIds.book(book.change().bookId()), vector,
                payload(book, contentHash, modelId));
    }

    @Override
    public void passThrough(EnrichedBook book, PassThroughContext<PointWrite> context) {
        BookChange change = book.change();
        if (change.removed()) {
            context.collect(PointWrite.delete(collection, PointIds.book(change.bookId())));
            return;
        }
        missing.inc();
        Long timestamp = context.timestamp();
        context.output(deadLetters, new DeadLetter(DeadLetterReason.CATALOG_ROW_MISSING,
                "no row in catalog table books for book_id '" + change.bookId() + "' (event "
                        + change.eventId() + ")",
                change.topic(), change.partition(), change.offset(), timestamp == null ? 0L : timestamp,
                change.bookId().getBytes(StandardCharsets.UTF_8), null));
    }

    private static String payload(EnrichedBook book, String contentHash, String modelId) {
        BookChange change = book.change();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("book_id", change.bookId());
        p.put("title", book.title());
        p.put("author", book.author());
        p.put("genres", List.of(book.genres()));
        p.put("reading_level", book.readingLevel());
        p.put("model_id", modelId);
        p.put("content_hash", contentHash);
        p.put("event_id", change.eventId());
        p.put("source", change.position());
        try {
            return JSON.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise the payload of book " + change.bookId(), e);
        }
    }
}
