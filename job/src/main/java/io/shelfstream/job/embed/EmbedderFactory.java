package io.shelfstream.job.embed;

import java.io.Serializable;

import io.shelfstream.embedding.Embedder;
import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;

/**
 * Creates the {@link Embedder} of an {@link EmbeddingOperator} when the operator opens; serialised with the job
 * graph. The default, {@link #miniLm()}, shares one ONNX Runtime session among all slots of a TaskManager.
 */
@FunctionalInterface
public interface EmbedderFactory extends Serializable {

    /**
     * Creates an embedder; the caller closes it.
     *
     * @param options the embedder options the operator was built with
     * @return a new embedder
     */
    Embedder create(EmbedderOptions options);

    /**
     * Returns the factory of {@link MiniLmEmbedder}s.
     *
     * @return the factory
     */
    static EmbedderFactory miniLm() {
        return MiniLmEmbedder::create;
    }
}
