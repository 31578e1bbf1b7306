/**
 * Text embedding for shelfstream: the {@link io.shelfstream.embedding.Embedder} API and its
 * all-MiniLM-L6-v2 implementation on ONNX Runtime, {@link io.shelfstream.embedding.MiniLmEmbedder}.
 *
 * <p>This package has no Flink types; the job wraps an {@code Embedder} in its own operator.
 * Classes under {@code io.shelfstream.embedding.internal} are implementation details and may
 * change without notice.
 */
package io.shelfstream.embedding;
