package io.shelfstream.connectors.testutils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.shelfstream.connectors.qdrant.internal.Retrier;

/** A {@link Retrier.Pause} that returns at once and records the waits asked for. */
public final class RecordingPause implements Retrier.Pause {

    private final List<Duration> waits = new ArrayList<>();

    @Override
    public synchronized boolean pause(Duration duration) {
        waits.add(duration);
        return true;
    }

    /** The waits so far, in order. */
    public synchronized List<Duration> waits() {
        return new ArrayList<>(waits);
    }
}
