package io.shelfstream.job.operators;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shelfstream.connectors.qdrant.PointWrite;
import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.records.BookChange;
import io.shelfstream.job.records.EnrichedBook;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;

/**
 * Turns enriched book changes into Qdrant point writes: removals become deletes, present books are embedded
 * and upserted with their catalog payload, books missing from the catalog go to the dead-letter output.
 */
public final class EmbedBooksFunction extends ProcessFunction<EnrichedBook, PointWrite> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String collection;
    private final EmbedderOptions embedderOptions;
    private final OutputTag<DeadLetter> deadLetters;
    private transient Embedder embedder;
    private transient Counter embedded;
    private transient Counter missing;

    public EmbedBooksFunction(String collection, EmbedderOptions embedderOptions, OutputTag<DeadLetter> deadLetters) {
        this.collection = collection;
        this.embedderOptions = embedderOptions;
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext openContext) {
        embedder = MiniLmEmbedder.create(embedderOptions);
        embedded = getRuntimeContext().getMetricGroup().counter("booksEmbedded");
        missing = getRuntimeContext().getMetricGroup().counter("catalogRowsMissing");
    }

    @Override
    public void processElement(EnrichedBook book, Context ctx, Collector<PointWrite> out) {
        BookChange change = book.change();
        if (change.removed()) {
            out.collect(PointWrite.delete(collection, PointIds.book(change.bookId())));
            return;
        }
        if (!book.found()) {
            missing.inc();
            ctx.output(deadLetters, new DeadLetter(DeadLetterReason.CATALOG_ROW_MISSING,
                    "no row in catalog table books for book_id '" + change.bookId() + "' (event "
                            + change.eventId() + ")",
                    change.topic(), change.partition(), change.offset(), ctx.timestamp() == null ? 0L : ctx.timestamp(),
                    change.bookId().getBytes(StandardCharsets.UTF_8), null));
            return;
        }
        List<String> genres = List.of(book.genres());
        String text = EmbeddingTexts.book(book.title(), book.author(), book.description(), genres);
        float[] vector = embedder.embed(List.of(text))[0];
        embedded.inc();
        out.collect(PointWrite.upsert(collection, PointIds.book(change.bookId()), vector, payload(book, genres, text)));
    }

    private String payload(EnrichedBook book, List<String> genres, String text) {
        BookChange change = book.change();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("book_id", change.bookId());
        p.put("title", book.title());
        p.put("author", book.author());
        p.put("genres", genres);
        p.put("reading_level", book.readingLevel());
        p.put("model_id", embedder.modelId());
        p.put("content_hash", sha256(text));
        p.put("event_id", change.eventId());
        p.put("source", change.topic() + "/" + change.partition() + "/" + change.offset());
        try {
            return JSON.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise the payload of book " + change.bookId(), e);
        }
    }

    static String sha256(String text) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(d.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    @Override
    public void close() throws Exception {
        if (embedder != null) {
            embedder.close();
        }
    }
}
