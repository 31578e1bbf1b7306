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
 * Counts calls per method and injects failures (UNAVAILABLE unless another status is asked for) and latency on
 * request.
 *
 * <p>A failure "before" rejects the call without touching the store; a failure "after" lets the call run
 * and replaces its reply with the failure, the way a response lost on the network looks to a client.
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
    private Status countedStatus = unavailable();
    private Set<String> countedMethods = Set.of();
    private long failUntilNanos;
    private boolean windowActive;
    private Set<String> windowMethods = Set.of();
    private long latencyNanos;

    void failNextCalls(int count, boolean afterApplying, Set<String> methods) {
        failNextCalls(count, afterApplying, unavailable(), methods);
    }

    void failNextCalls(int count, boolean afterApplying, Status status, Set<String> methods) {
        synchronized (lock) {
            failuresLeft = count;
            failAfterApplying = afterApplying;
            countedStatus = status;
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
            countedStatus = unavailable();
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
        Verdict verdict;
        long latency;
        synchronized (lock) {
            verdict = decide(method);
            latency = latencyNanos;
        }
        Status status = verdict.status;
        if (latency > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        switch (verdict.decision) {
            case FAIL_BEFORE:
                injected.incrementAndGet();
                LOG.info("Injecting {} into {} (before applying)", status.getCode(), method);
                call.close(status, new Metadata());
                return new ServerCall.Listener<Q>() { };
            case FAIL_AFTER:
                injected.incrementAndGet();
                LOG.info("Injecting {} into {} (after applying)", status.getCode(), method);
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call) {
                    @Override
                    public void sendMessage(R message) {
                        // Dropped: the client must see the failure, not the result.
                    }

                    @Override
                    public void close(Status result, Metadata trailers) {
                        super.close(result.isOk() ? status : result, trailers);
                    }
                }, headers);
            default:
                return next.startCall(call, headers);
        }
    }

    private record Verdict(Decision decision, Status status) {
    }

    private Verdict decide(String method) {
        if (windowActive) {
            if (System.nanoTime() - failUntilNanos < 0) {
                if (windowMethods.isEmpty() || windowMethods.contains(method)) {
                    return new Verdict(Decision.FAIL_BEFORE, unavailable());
                }
            } else {
                windowActive = false;
            }
        }
        if (failuresLeft > 0 && (countedMethods.isEmpty() || countedMethods.contains(method))) {
            failuresLeft--;
            return new Verdict(failAfterApplying ? Decision.FAIL_AFTER : Decision.FAIL_BEFORE, countedStatus);
        }
        return new Verdict(Decision.PASS, null);
    }

    private static Status unavailable() {
        return Status.UNAVAILABLE.withDescription("Service unavailable (fault injected by LocalQdrantServer)");
    }
}
