package io.shelfstream.connectors.testutils;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Ticker;

/**
 * A Caffeine {@link Ticker} that moves only when told, for cache expiry tests. Serializable: copies share the time
 * of the original through a JVM-wide registry.
 */
public final class ManualTicker implements Ticker, Serializable {

    private static final long serialVersionUID = 1L;
    private static final Map<Integer, AtomicLong> TIMES = new ConcurrentHashMap<>();
    private static final AtomicInteger IDS = new AtomicInteger();

    private final int id;

    private ManualTicker(int id) {
        this.id = id;
    }

    /** A ticker at time 0. */
    public static ManualTicker create() {
        int id = IDS.incrementAndGet();
        TIMES.put(id, new AtomicLong());
        return new ManualTicker(id);
    }

    /** Moves the time forward. */
    public void advance(Duration duration) {
        TIMES.get(id).addAndGet(duration.toNanos());
    }

    @Override
    public long read() {
        return TIMES.get(id).get();
    }
}
