package io.shelfstream.connectors.testutils;

import java.util.concurrent.atomic.AtomicInteger;

/** Fresh, valid names for topics, databases and collections, so tests never see one another's data. */
public final class TestNames {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    private TestNames() {
    }

    /** A name like {@code books_k3f9_7}: lower case letters, digits and '_' only. */
    public static String fresh(String prefix) {
        return prefix.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_")
                + "_" + RUN + "_" + COUNTER.incrementAndGet();
    }
}
