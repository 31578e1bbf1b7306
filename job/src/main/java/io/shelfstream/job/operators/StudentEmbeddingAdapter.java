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
import io.shelfstream.job.records.EnrichedStudent;
import io.shelfstream.job.records.StudentChange;
import io.shelfstream.schemas.DeadLetter;
import io.shelfstream.schemas.DeadLetterReason;
import io.shelfstream.schemas.EmbeddingTexts;
import io.shelfstream.schemas.PointIds;

/**
 * Turns enriched student changes into Qdrant point writes of the {@code students} collection inside an
 * {@link EmbeddingOperator}: present students get their profile text ({@link EmbeddingTexts#student}) embedded
 * and upserted with their catalog payload, removals become deletes, and students missing from the catalog go to
 * the dead-letter output as {@code catalog_row_missing}.
 *
 * <p>Until checkouts are joined, a student's vector is the profile vector: the payload says so with
 * {@code taste_source = "profile"}; blending in the vectors of checked-out books (DESIGN.md section 2) comes with
 * the checkouts path. Every payload field (grade, interests, genres) is part of the embedded text, so the content
 * hash of the text alone decides whether a change rewrites the point. Metrics {@code studentsEmbedded} and
 * {@code catalogRowsMissing} count upserts and dead letters.
 */
public final class StudentEmbeddingAdapter implements EmbeddingAdapter<EnrichedStudent, PointWrite> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The {@code taste_source} payload value while the vector is the profile vector alone. */
    public static final String TASTE_SOURCE_PROFILE = "profile";

    private final String collection;
    private final OutputTag<DeadLetter> deadLetters;
    private transient Counter embedded;
    private transient Counter missing;

    /**
     * Creates the adapter.
     *
     * @param collection  the Qdrant collection (or alias) of students
     * @param deadLetters the side output for students the catalog does not have
     */
    public StudentEmbeddingAdapter(String collection, OutputTag<DeadLetter> deadLetters) {
        this.collection = collection;
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(MetricGroup metrics) {
        embedded = metrics.counter("studentsEmbedded");
        missing = metrics.counter("catalogRowsMissing");
    }

    @Override
    public String key(EnrichedStudent student) {
        return student.change().studentId();
    }

    @Override
    public String text(EnrichedStudent student) {
        if (student.change().removed() || !student.found()) {
            return null;
        }
        return EmbeddingTexts.student(student.gradeLevel(), student.interests(), List.of(student.preferredGenres()));
    }

    @Override
    public PointWrite embedded(EnrichedStudent student, float[] vector, String contentHash, String modelId) {
        embedded.inc();
        return PointWrite.upsert(collection, PointIds.student(student.change().studentId()), vector,
                payload(student, contentHash, modelId));
    }

    @Override
    public void passThrough(EnrichedStudent student, PassThroughContext<PointWrite> context) {
        StudentChange change = student.change();
        if (change.removed()) {
            context.collect(PointWrite.delete(collection, PointIds.student(change.studentId())));
            return;
        }
        missing.inc();
        Long timestamp = context.timestamp();
        context.output(deadLetters, new DeadLetter(DeadLetterReason.CATALOG_ROW_MISSING,
                "no row in catalog table students for student_id '" + change.studentId() + "' (event "
                        + change.eventId() + ")",
                change.topic(), change.partition(), change.offset(), timestamp == null ? 0L : timestamp,
                change.studentId().getBytes(StandardCharsets.UTF_8), null));
    }

    private static String payload(EnrichedStudent student, String contentHash, String modelId) {
        StudentChange change = student.change();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("student_id", change.studentId());
        p.put("grade_level", student.gradeLevel());
        p.put("interests", student.interests());
        p.put("preferred_genres", List.of(student.preferredGenres()));
        p.put("model_id", modelId);
        p.put("content_hash", contentHash);
        p.put("event_id", change.eventId());
        p.put("source", change.position());
        p.put("taste_source", TASTE_SOURCE_PROFILE);
        try {
            return JSON.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise the payload of student " + change.studentId(), e);
        }
    }
}
