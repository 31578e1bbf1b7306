package io.shelfstream.job.embed;

import java.io.Serializable;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.OutputTag;

/**
 * Tells an {@link EmbeddingOperator} what to embed in its input records and how to build its output records.
 *
 * <p>For each input record the operator asks for the entity {@link #key key} (the stream must be keyed by it),
 * and the {@link #text text} to embed. A record with text is embedded (unless its {@link ContentHash} equals the
 * last one embedded for its key) and becomes {@link #embedded}'s result. A record without text, e.g. a removal or
 * a record to reject, is handed to {@link #passThrough} right away; it also makes the next text of its key be
 * embedded even if unchanged, since the output it produced (a delete, say) may have replaced the last vector.
 *
 * <p>Implementations are serialised with the job graph and called from the operator's task thread only.
 *
 * <pre>{@code
 * class DocAdapter implements EmbeddingAdapter<Doc, EmbeddedDoc> {
 *     public String key(Doc doc) { return doc.id(); }
 *     public String text(Doc doc) { return doc.deleted() ? null : doc.body(); }
 *     public EmbeddedDoc embedded(Doc doc, float[] vector, String contentHash, String modelId) {
 *         return new EmbeddedDoc(doc.id(), vector, contentHash, modelId);
 *     }
 *     public void passThrough(Doc doc, PassThroughContext<EmbeddedDoc> context) {
 *         context.collect(EmbeddedDoc.deleted(doc.id()));
 *     }
 * }
 * }</pre>
 *
 * @param <IN>  input records
 * @param <OUT> output records
 */
public interface EmbeddingAdapter<IN, OUT> extends Serializable {

    /**
     * Returns the entity a record belongs to: hashes, per-key order and the replacement of a pending record by a
     * later one are all per key. The operator's input must be keyed by exactly this, e.g. with
     * {@link #keySelector()}.
     *
     * @param input the record
     * @return its entity key, not null
     */
    String key(IN input);

    /**
     * Returns the text to embed, or {@code null} when the record has none and goes to {@link #passThrough}.
     *
     * @param input the record
     * @return the text (possibly empty), or {@code null}
     */
    String text(IN input);

    /**
     * Returns content besides the text that {@link #embedded}'s output depends on, e.g. a payload field used for
     * filtering. It becomes part of the {@link ContentHash}, so a change to it is not skipped as unchanged.
     *
     * @param input a record with text
     * @return the extra content; empty (the default) when the output depends on the text alone
     */
    default String extraContent(IN input) {
        return "";
    }

    /**
     * Builds the output of an embedded record.
     *
     * @param input       the record
     * @param vector      its unit-length vector; owned by the output from now on
     * @param contentHash its {@link ContentHash}
     * @param modelId     the model that produced the vector
     * @return the output record, not null
     */
    OUT embedded(IN input, float[] vector, String contentHash, String modelId);

    /**
     * Handles a record without text: emits whatever it stands for (nothing, a main output, side outputs).
     *
     * @param input   the record
     * @param context where to emit
     */
    void passThrough(IN input, PassThroughContext<OUT> context);

    /**
     * Called once when the operator opens, before any record, e.g. to register metrics.
     *
     * @param metrics the operator's metric group
     */
    default void open(MetricGroup metrics) {
    }

    /**
     * Returns a key selector that keys a stream by {@link #key}.
     *
     * @return the key selector
     */
    default KeySelector<IN, String> keySelector() {
        return this::key;
    }

    /**
     * Where {@link #passThrough} emits.
     *
     * @param <OUT> the operator's output records
     */
    interface PassThroughContext<OUT> {

        /**
         * Emits a record on the main output, with the input record's timestamp.
         *
         * @param output the record
         */
        void collect(OUT output);

        /**
         * Emits a record on a side output, with the input record's timestamp.
         *
         * @param tag    the side output
         * @param output the record
         * @param <X>    its type
         */
        <X> void output(OutputTag<X> tag, X output);

        /**
         * Returns the input record's timestamp.
         *
         * @return the timestamp in epoch milliseconds, or {@code null} when the record has none
         */
        Long timestamp();
    }
}
