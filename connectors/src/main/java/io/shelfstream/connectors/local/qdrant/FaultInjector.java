package io.shelfstream.connectors.local.qdrant;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Counts calls per method and injects UNAVAILABLE failures and latency on request.
 *
 * <p>A failure "before" rejects the call without touching the store; a failure "after" lets the call run
 * and replaces its reply with UNAVAILABLE, the way a response lost on the network looks to a client.
 */
final class FaultInjector implements ServerInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);

    private enum Decision { PASS, FAIL_BEFORE, FAIL_AFTER }

    private final Object lock = new Object();
    private final ConcurrentHashMap<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final AtomicLong injected = new AtomicLong();

    // guarded by lock
    private long failuresLeft;
    private boolean failAfterApplying;
    private Set<String> countedMethods = Set.of();
    private long failUntilNanos;
    private boolean windowActive;
    private Set<String> windowMethods = Set.of();
    private long latencyNanos;

    void failNextCalls(int count, boolean afterApplying, Set<String> methods) {
        synchronized (lock) {
            failuresLeft = count;
            failAfterApplying = afterApplying;
            countedMethods = methods;
        }
    }

    void failFor(long nanos, Set<String> methods) {
        synchronized (lock) {
            windowActive = nanos > 0;
            failUntilNanos = System.nanoTime() + nanos;
            windowMethods = methods;
        }
    }

    void setLatency(long nanos) {
        synchronized (lock) {
            latencyNanos = nanos;
        }
    }

    void clear() {
        synchronized (lock) {
            failuresLeft = 0;
            windowActive = false;
            latencyNanos = 0;
        }
    }

    long injectedFailures() {
        return injected.get();
    }

    long calls(String fullMethodName) {
        AtomicLong n = calls.get(fullMethodName);
        return n == null ? 0 : n.get();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        calls.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
        Decision decision;
        long latency;
        synchronized (lock) {
            decision = decide(method);
            latency = latencyNanos;
        }
        if (latency > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        switch (decision) {
            case FAIL_BEFORE:
                injected.incrementAndGet();
                LOG.info("Injecting UNAVAILABLE into {} (before applying)", method);
                call.close(unavailable(), new Metadata());
                return new ServerCall.Listener<Q>() { };
            case FAIL_AFTER:
                injected.incrementAndGet();
                LOG.info("Injecting UNAVAILABLE into {} (after applying)", method);
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call) {
                    @Override
                    public void sendMessage(R message) {
                        // Dropped: the client must see the failure, not the result.
                    }

                    @Override
                    public void close(Status status, Metadata trailers) {
                        super.close(status.isOk() ? unavailable() : status, trailers);
                    }
                }, headers);
            default:
                return next.startCall(call, headers);
        }
    }

    private Decision decide(String method) {
        if (windowActive) {
            if (System.nanoTime() - failUntilNanos < 0) {
                if (windowMethods.isEmpty() || windowMethods.contains(method)) {
                    return Decision.FAIL_BEFORE;
                }
            } else {
                windowActive = false;
            }
        }
        if (failuresLeft > 0 && (countedMethods.isEmpty() || countedMethods.contains(method))) {
            failuresLeft--;
            return failAfterApplying ? Decision.FAIL_AFTER : Decision.FAIL_BEFORE;
        }
        return Decision.PASS;
    }

    private static Status unavailable() {
        return Status.UNAVAILABLE.withDescription("Service unavailable (fault injected by LocalQdrantServer)");
    }
}
