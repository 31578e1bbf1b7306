package io.shelfstream.embedding.internal;

/**
 * Identifies a shared ONNX Runtime session: the model bytes, the concrete device and the
 * intra-op thread count.
 *
 * @param modelIdentity see {@link ModelSource#modelIdentity()}
 * @param device {@code cpu} or {@code cuda:N}, never {@code auto}
 * @param intraOpThreads the resolved thread count, > 0
 */
public record ModelKey(String modelIdentity, String device, int intraOpThreads) {

    @Override
    public String toString() {
        return modelIdentity + " on " + device + " with " + intraOpThreads + " intra-op threads";
    }
}
