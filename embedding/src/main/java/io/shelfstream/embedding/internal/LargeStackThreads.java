package io.shelfstream.embedding.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Runs a task on a fresh thread with a large stack and waits for its result.
 *
 * <p>ONNX Runtime 1.29.0 was seen to crash the JVM while creating a session on a thread with the
 * default 1 MiB stack; Flink task threads have default stacks. Everything that loads ONNX
 * Runtime or creates a session therefore goes through here.
 */
public final class LargeStackThreads {

    /** Stack size of the threads started here: 16 MiB. */
    public static final long STACK_SIZE_BYTES = 16L * 1024 * 1024;

    private LargeStackThreads() {}

    /**
     * Runs {@code task} on a new daemon thread with a {@link #STACK_SIZE_BYTES} stack and returns
     * its result. The thread inherits the caller's context class loader.
     *
     * @param threadName name of the thread, for thread dumps
     * @param task the work
     * @param discardIfAbandoned receives the result if the caller was interrupted and so will
     *     never see it, e.g. to close a session that is no longer wanted
     * @param <T> the result type
     * @return the task's result
     * @throws RuntimeException the task's unchecked exception, or an {@link IllegalStateException}
     *     wrapping a checked one or reporting an interrupt (the interrupt flag is restored)
     */
    public static <T> T call(String threadName, Callable<T> task, Consumer<? super T> discardIfAbandoned) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread =
                new Thread(
                        null,
                        () -> {
                            try {
                                result.complete(task.call());
                            } catch (Throwable t) {
                                result.completeExceptionally(t);
                            }
                        },
                        threadName,
                        STACK_SIZE_BYTES);
        thread.setDaemon(true);
        thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        thread.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.thenAccept(discardIfAbandoned);
            throw new IllegalStateException("Interrupted while waiting for " + threadName, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException(threadName + " failed: " + cause.getMessage(), cause);
        }
    }
}
