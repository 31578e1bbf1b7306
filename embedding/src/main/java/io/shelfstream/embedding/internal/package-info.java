/**
 * Implementation details of {@code io.shelfstream.embedding}: the shared ONNX Runtime sessions,
 * tokenization and sub-batching. Not an API; anything here may change without notice.
 */
package io.shelfstream.embedding.internal;
