package io.shelfstream.embedding.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares one expensive resource per key among its users and closes it when the last one leaves.
 *
 * <p>{@link #acquire} creates the resource on first use and counts a reference; closing the
 * returned {@link Lease} gives the reference back, and the resource is closed when the count
 * reaches zero. The next {@code acquire} for that key creates a new one. The resource is created
 * outside the registry lock, so a slow creation delays only the users of that key; if creation
 * fails, every user waiting for it gets the failure and the key is free for a new attempt.
 *
 * @param <K> the key type (value semantics)
 * @param <V> the resource type
 */
public final class ReferenceCountedRegistry<K, V extends AutoCloseable> {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceCountedRegistry.class);

    private final Object lock = new Object();
    private final Map<K, Entry<V>> entries = new HashMap<>();

    /**
     * Returns a lease on the resource for {@code key}, creating it with {@code factory} if no one
     * holds it. Blocks while another thread creates it.
     *
     * @param key the key
     * @param factory creates the resource; called on the calling thread, at most once per
     *     generation of the key
     * @return a lease; close it exactly once when done
     * @throws RuntimeException what the factory threw (checked exceptions wrapped in
     *     {@link IllegalStateException})
     */
    public Lease<K, V> acquire(K key, Callable<? extends V> factory) {
        Entry<V> entry;
        boolean create = false;
        synchronized (lock) {
            entry = entries.get(key);
            if (entry == null) {
                entry = new Entry<>();
                entries.put(key, entry);
                create = true;
            }
            entry.references++;
        }
        if (create) {
            V value;
            try {
                value = factory.call();
            } catch (Throwable t) {
                synchronized (lock) {
                    entries.remove(key, entry);
                }
                entry.value.completeExceptionally(t);
                if (t instanceof RuntimeException) {
                    throw (RuntimeException) t;
                }
                if (t instanceof Error) {
                    throw (Error) t;
                }
                throw new IllegalStateException(
                        "Could not create the shared resource " + key + ": " + t.getMessage(), t);
            }
            entry.value.complete(value);
            LOG.debug("Created shared resource {}", key);
            return new Lease<>(this, key, entry, value);
        }
        try {
            V value = entry.value.get();
            return new Lease<>(this, key, entry, value);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(key, entry);
            throw new IllegalStateException(
                    "Interrupted while waiting for the shared resource " + key, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException(
                    "Could not create the shared resource " + key + ": " + cause.getMessage(),
                    cause);
        }
    }

    /**
     * Returns how many leases on {@code key} are open (or waiting for creation).
     *
     * @param key the key
     * @return the reference count, 0 when no resource exists for the key
     */
    public int references(K key) {
        synchronized (lock) {
            Entry<V> entry = entries.get(key);
            return entry == null ? 0 : entry.references;
        }
    }

    private void release(K key, Entry<V> entry) {
        synchronized (lock) {
            entry.references--;
            if (entry.references > 0 || entries.get(key) != entry) {
                return;
            }
            entries.remove(key);
        }
        // Closed outside the lock: closing a session can take a while. If creation is still
        // running (its creator was interrupted), the resource is closed as soon as it exists.
        entry.value.thenAccept(value -> closeQuietly(key, value));
    }

    private static void closeQuietly(Object key, AutoCloseable value) {
        try {
            value.close();
            LOG.debug("Closed shared resource {}", key);
        } catch (Exception e) {
            LOG.warn("Could not close shared resource {}", key, e);
        }
    }

    private static final class Entry<V> {
        final CompletableFuture<V> value = new CompletableFuture<>();
        int references; // guarded by the registry lock
    }

    /**
     * One user's reference to a shared resource.
     *
     * @param <K> the key type
     * @param <V> the resource type
     */
    public static final class Lease<K, V extends AutoCloseable> implements AutoCloseable {

        private final ReferenceCountedRegistry<K, V> registry;
        private final K key;
        private final Entry<V> entry;
        private final V value;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(ReferenceCountedRegistry<K, V> registry, K key, Entry<V> entry, V value) {
            this.registry = registry;
            this.key = key;
            this.entry = entry;
            this.value = value;
        }

        /**
         * Returns the shared resource; do not close it directly.
         *
         * @return the resource
         */
        public V get() {
            return value;
        }

        /**
         * Returns the key the resource is shared under.
         *
         * @return the key
         */
        public K key() {
            return key;
        }

        /** Gives the reference back; the last one closes the resource. Idempotent. */
        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                registry.release(key, entry);
            }
        }
    }
}
