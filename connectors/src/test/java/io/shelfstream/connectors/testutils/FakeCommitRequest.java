package io.shelfstream.connectors.testutils;

import org.apache.flink.api.connector.sink2.Committer.CommitRequest;

/**
 * A {@link CommitRequest} that records what the committer decided, with Flink 2.x's semantics: an unknown failure
 * throws, everything else only changes the state.
 */
public final class FakeCommitRequest<T> implements CommitRequest<T> {

    /** What the committer made of the request. */
    public enum State { PENDING, RETRY_LATER, FAILED_KNOWN, FAILED_UNKNOWN, ALREADY_COMMITTED }

    private T committable;
    private int retries;
    private State state = State.PENDING;
    private Throwable failure;

    public FakeCommitRequest(T committable) {
        this.committable = committable;
    }

    /** Marks the request as handed to the committer again, as Flink does before each retry. */
    public FakeCommitRequest<T> selectAgain() {
        state = State.PENDING;
        return this;
    }

    public State state() {
        return state;
    }

    /** PENDING after a commit call means the committer returned without complaint: committed. */
    public boolean isCommitted() {
        return state == State.PENDING || state == State.ALREADY_COMMITTED;
    }

    public Throwable failure() {
        return failure;
    }

    @Override
    public T getCommittable() {
        return committable;
    }

    @Override
    public int getNumberOfRetries() {
        return retries;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
        state = State.FAILED_KNOWN;
        failure = t;
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
        state = State.FAILED_UNKNOWN;
        failure = t;
        throw new IllegalStateException("Failed to commit " + committable, t);
    }

    @Override
    public void retryLater() {
        state = State.RETRY_LATER;
        retries++;
    }

    @Override
    public void updateAndRetryLater(T committable) {
        this.committable = committable;
        retryLater();
    }

    @Override
    public void signalAlreadyCommitted() {
        state = State.ALREADY_COMMITTED;
    }
}
