package io.shelfstream.embedding.testutils;

import java.util.concurrent.atomic.AtomicInteger;

/** A closeable that records how often it was created and closed. */
public final class FakeResource implements AutoCloseable {

    private static final AtomicInteger SERIAL = new AtomicInteger();

    private final int serial = SERIAL.incrementAndGet();
    private final AtomicInteger closes = new AtomicInteger();

    /** Returns a number unique to this instance. */
    public int serial() {
        return serial;
    }

    /** Tells whether {@link #close()} was called. */
    public boolean isClosed() {
        return closes.get() > 0;
    }

    /** Returns how often {@link #close()} was called. */
    public int closeCount() {
        return closes.get();
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
