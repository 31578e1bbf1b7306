package io.shelfstream.job.embed.testutils;

import io.shelfstream.job.embed.EmbeddingAdapter;

/** Embeds a {@link Doc}'s text; a removal passes through as a removal. */
public final class DocAdapter implements EmbeddingAdapter<Doc, EmbeddedDoc> {

    private static final long serialVersionUID = 1L;

    @Override
    public String key(Doc doc) {
        return doc.id();
    }

    @Override
    public String text(Doc doc) {
        return doc.text();
    }

    @Override
    public EmbeddedDoc embedded(Doc doc, float[] vector, String contentHash, String modelId) {
        return new EmbeddedDoc(doc.id(), doc.text(), vector, contentHash, modelId);
    }

    @Override
    public void passThrough(Doc doc, PassThroughContext<EmbeddedDoc> context) {
        context.collect(new EmbeddedDoc(doc.id(), null, null, null, null));
    }
}
